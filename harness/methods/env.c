/* env: LD_LIBRARY_PATH = the sysroot's directories, the host's loader:
 * the classic mistake, kept as a negative control. */
#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = method_base_env(rc);
	method_push_data_env(&c->env, rc->run);
	cleanup_strv char **v = method_lib_dirs(rc);
	cleanup_free char *dirs = method_join_colon(v);
	/* method_base_env unsets LD_LIBRARY_PATH; this later entry sets it. */
	strv_push_take(&c->env, xasprintf("LD_LIBRARY_PATH=%s", dirs));
	strv_push(&c->argv, rc->binary);
	method_push_args(&c->argv, rc);
	method_expect_run(rc, c);
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return method_predict(rc, true, SEARCH_LIBPATH, p, err);
}

const struct method method_env = {
	.name = "env",
	.summary = "LD_LIBRARY_PATH = the sysroot's libdirs (the classic mistake)",
	.caps = METHOD_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
