/* rpath: a copy with RUNPATH into the sysroot only; the host's loader
 * stays and meets another glibc's libc.so.6: mixed-glibc by design. */
#define _GNU_SOURCE
#include "routes/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct route_ctx *rc, struct route_cmd *c, struct gm_err **err)
{
	char *copy;
	if (route_patched_copy(rc, NULL, &copy, err) < 0)
		return -1;
	c->env = route_base_env(rc);
	route_push_data_env(&c->env, rc->run);
	strv_push_take(&c->argv, copy);
	route_push_args(&c->argv, rc);
	route_expect_run(rc, c);
	return 0;
}

static int predict(const struct route_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(rc, true, SEARCH_RUNPATH, p, err);
}

const struct route route_rpath = {
	.name = "rpath",
	.summary = "patched copy: RUNPATH only, the host's loader stays",
	.caps = ROUTE_PATCHED_COPY,
	.prepare = prepare,
	.predict = predict,
};
