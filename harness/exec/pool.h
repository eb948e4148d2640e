/* A bounded pool of worker threads: runs fn(ctx, i) for i in [0, n) with
 * at most jobs at once.  Each task typically spawns one child through
 * proc_run, so jobs bounds the number of concurrent children.  Stops handing
 * out tasks once the harness is interrupted (interrupted()). */
#ifndef GM_POOL_H
#define GM_POOL_H

#include <pthread.h>
#include <stddef.h>

typedef void pool_fn(void *ctx, size_t i);

/* jobs <= 0: the number of CPUs.  Returns the number of tasks started. */
size_t pool_run(size_t n, int jobs, pool_fn *fn, void *ctx);

int pool_default_jobs(void);

/* For tasks that fail: keeps the first error in *slot (under lock) and
 * frees later ones, so the caller reports one cause. */
struct gm_err;
void pool_keep_error(struct gm_err **slot, struct gm_err *e, pthread_mutex_t *lock);

#endif
