/* loader: the explicit loader, the way to run a binary against another
 * glibc without touching it:
 *   <sysroot>/ld.so --inhibit-cache --library-path <libdirs> [--argv0 B] B */
#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "exec/proc.h"

#include <pthread.h>
#include <string.h>

struct argv0_cache {
	char *loader;
	bool yes;
};
static struct argv0_cache *argv0s;
static size_t n_argv0s;
static pthread_mutex_t argv0_lock = PTHREAD_MUTEX_INITIALIZER;

bool loader_has_argv0(const char *loader, const char *emulator)
{
	bool yes = false, found = false;
	pthread_mutex_lock(&argv0_lock);
	for (size_t i = 0; i < n_argv0s; i++)
		if (strcmp(argv0s[i].loader, loader) == 0) {
			yes = argv0s[i].yes;
			found = true;
		}
	pthread_mutex_unlock(&argv0_lock);
	if (found)
		return yes;
	/* glibc >= 2.33 loaders describe their options in --help. */
	char *argv[] = {(char *)emulator, (char *)loader, "--help", NULL};
	struct proc_spec spec = {.argv = emulator ? argv : argv + 1, .capture_max = 1 << 16, .merge_stderr = true,
				 .log_fd = -1, .stdin_fd = -1, .timeout_s = 30};
	struct proc_result res;
	if (proc_run(&spec, &res, NULL) == 0) {
		yes = res.exit_code == 0 && strstr(res.out, "--argv0") != NULL;
		proc_result_release(&res);
	}
	pthread_mutex_lock(&argv0_lock);
	argv0s = xrealloc(argv0s, (n_argv0s + 1) * sizeof(*argv0s));
	argv0s[n_argv0s].loader = xstrdup(loader);
	argv0s[n_argv0s++].yes = yes;
	pthread_mutex_unlock(&argv0_lock);
	return yes;
}

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = method_base_env(rc);
	method_push_data_env(&c->env, rc->run);
	strv_push(&c->argv, rc->run->loader);
	strv_push(&c->argv, "--inhibit-cache");
	strv_push(&c->argv, "--library-path");
	cleanup_strv char **dirs = method_lib_dirs(rc);
	strv_push_take(&c->argv, method_join_colon(dirs));
	if (loader_has_argv0(rc->run->loader, rc->emulator)) {
		strv_push(&c->argv, "--argv0");
		strv_push(&c->argv, rc->binary);
	}
	strv_push(&c->argv, rc->binary);
	method_push_args(&c->argv, rc);
	method_expect_run(rc, c);
	c->cover_host_libs = rc->target_libs;
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return method_predict(rc, false, SEARCH_LIBPATH, p, err);
}

const struct method method_loader = {
	.name = "loader",
	.summary = "explicit loader: ld.so --inhibit-cache --library-path DIRS BINARY",
	.caps = METHOD_CHECK_DEFAULT | METHOD_EXEC | METHOD_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
