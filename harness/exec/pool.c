#define _GNU_SOURCE
#include "exec/pool.h"
#include "base/interrupt.h"
#include "base/err.h"
#include "base/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct pool {
	pthread_mutex_t lock;
	size_t next, n, started;
	pool_fn *fn;
	void *ctx;
};

int pool_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void *worker(void *p)
{
	struct pool *pl = p;
	for (;;) {
		pthread_mutex_lock(&pl->lock);
		if (pl->next >= pl->n || interrupted()) {
			pthread_mutex_unlock(&pl->lock);
			return NULL;
		}
		size_t i = pl->next++;
		pl->started++;
		pthread_mutex_unlock(&pl->lock);
		pl->fn(pl->ctx, i);
	}
}

size_t pool_run(size_t n, int jobs, pool_fn *fn, void *ctx)
{
	struct pool pl = {.n = n, .fn = fn, .ctx = ctx};
	if (jobs <= 0)
		jobs = pool_default_jobs();
	if ((size_t)jobs > n)
		jobs = n ? (int)n : 1;
	pthread_mutex_init(&pl.lock, NULL);
	if (jobs == 1) {
		worker(&pl);
	} else {
		pthread_t *t = xcalloc(jobs, sizeof(*t));
		int made = 0;
		for (int k = 0; k < jobs; k++)
			if (pthread_create(&t[k], NULL, worker, &pl) == 0)
				made++;
			else
				break;
		if (made == 0)
			worker(&pl); /* no threads: do the work here */
		for (int k = 0; k < made; k++)
			pthread_join(t[k], NULL);
		free(t);
	}
	pthread_mutex_destroy(&pl.lock);
	return pl.started;
}

void pool_keep_error(struct gm_err **slot, struct gm_err *e, pthread_mutex_t *lock)
{
	pthread_mutex_lock(lock);
	if (!*slot)
		*slot = e;
	else
		gm_err_free(&e);
	pthread_mutex_unlock(lock);
}
