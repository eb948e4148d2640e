/* The job pool: every task runs exactly once, no more than `jobs` at a time,
 * pool_keep_error keeps the first error only; then the same with each task
 * spawning a child through proc_run; and `jobs` tasks do run at once (a
 * pool that ran them one after another would pass the bound).  `make check-tsan` builds it with
 * ThreadSanitizer.  TSan cannot follow the spawner: it intercepts clone()
 * and, in the child, resets its own state as after a fork, but a
 * CLONE_VM child shares that state with the parent, so the parent then
 * reports races that are not there (or dies: "starting new threads after
 * multi-threaded fork").  Under TSan the spawning variant is skipped; the
 * spawner itself is single-threaded in test-proc, which TSan runs. */
#include "exec/pool.h"
#include "exec/proc.h"
#include "base/err.h"
#include "base/util.h"
#include "tap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 24
#define JOBS 4

struct ctx {
	pthread_mutex_t lock;
	bool spawn;
	int ran[N];
	int running, peak;
	struct gm_err *first;
	int exit_codes[N];
};

static void task(void *p, size_t i)
{
	struct ctx *c = p;
	pthread_mutex_lock(&c->lock);
	c->ran[i]++;
	if (++c->running > c->peak)
		c->peak = c->running;
	pthread_mutex_unlock(&c->lock);

	if (!c->spawn) {
		c->exit_codes[i] = (int)(i % 7);
		goto done;
	}
	char code[16];
	snprintf(code, sizeof(code), "exit %zu", i % 7);
	char *argv[] = {"sh", "-c", code, NULL};
	struct proc_spec spec = {.argv = argv, .timeout_s = 30, .capture_max = 64,
				 .log_fd = -1, .stdin_fd = -1};
	struct proc_result r;
	if (proc_run(&spec, &r, NULL) == 0) {
		c->exit_codes[i] = r.exit_code;
		proc_result_release(&r);
	} else {
		c->exit_codes[i] = -100;
	}
done:
	if (i % 5 == 0) {
		struct gm_err *e = NULL;
		gm_err_set(&e, GM_EXIT_INFRA, 0, "task %zu failed", i);
		pool_keep_error(&c->first, e, &c->lock);
	}

	pthread_mutex_lock(&c->lock);
	c->running--;
	pthread_mutex_unlock(&c->lock);
}

static void every_task_once_bounded(bool spawn)
{
	struct ctx c = {.lock = PTHREAD_MUTEX_INITIALIZER, .spawn = spawn};
	TEST_COMPARE(pool_run(N, JOBS, task, &c), N);
	for (size_t i = 0; i < N; i++) {
		TEST_COMPARE(c.ran[i], 1);
		TEST_COMPARE(c.exit_codes[i], (int)(i % 7));
	}
	TEST_VERIFY(c.peak >= 1 && c.peak <= JOBS);
	TEST_COMPARE(c.running, 0);
	/* One error kept, and it is one the tasks made. */
	TEST_VERIFY(c.first && strstr(c.first->msg, "failed"));
	gm_err_free(&c.first);
}

static void tasks_alone(void)
{
	every_task_once_bounded(false);
}

static __attribute__((unused)) void tasks_that_spawn(void)
{
	every_task_once_bounded(true);
}

struct meet {
	pthread_mutex_t lock;
	pthread_cond_t all_in;
	int inside, peak, gave_up;
};

/* Enters and waits until JOBS tasks are inside at once.  A serial pool
 * never gets there: the wait is bounded (a minute, on the monotonic clock)
 * so that pool fails the test instead of hanging it, and the first task to
 * give up lets the rest through. */
static void meet_task(void *p, size_t i)
{
	struct meet *m = p;
	struct timespec until;
	(void)i;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&m->lock);
	if (++m->inside > m->peak)
		m->peak = m->inside;
	pthread_cond_broadcast(&m->all_in);
	while (m->peak < JOBS && !m->gave_up)
		if (pthread_cond_timedwait(&m->all_in, &m->lock, &until) != 0)
			m->gave_up = 1;
	m->inside--;
	pthread_mutex_unlock(&m->lock);
}

static void jobs_run_at_once(void)
{
	struct meet m = {.lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m.all_in, &attr);
	pthread_condattr_destroy(&attr);
	TEST_COMPARE(pool_run(N, JOBS, meet_task, &m), N);
	TEST_COMPARE(m.peak, JOBS);
	TEST_COMPARE(m.gave_up, 0);
	TEST_COMPARE(m.inside, 0);
	pthread_cond_destroy(&m.all_in);
}

int main(void)
{
	RUN_TEST(tasks_alone);
	RUN_TEST(jobs_run_at_once);
#ifdef __SANITIZE_THREAD__
	printf("ok %d - tasks_that_spawn # SKIP ThreadSanitizer cannot follow clone(CLONE_VM)\n",
	       ++tap_count);
#else
	RUN_TEST(tasks_that_spawn);
#endif
	TAP_END();
}
