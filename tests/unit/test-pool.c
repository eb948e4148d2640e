/* The job pool: every task runs exactly once, no more than `jobs` at a time,
 * pool_keep_error keeps the first error only; then the same with each task
 * spawning a child through proc_run.  `make check-tsan` builds it with
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

int main(void)
{
	RUN_TEST(tasks_alone);
#ifdef __SANITIZE_THREAD__
	printf("ok %d - tasks_that_spawn # SKIP ThreadSanitizer cannot follow clone(CLONE_VM)\n",
	       ++tap_count);
#else
	RUN_TEST(tasks_that_spawn);
#endif
	TAP_END();
}
