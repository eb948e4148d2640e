/* host: the binary as built, its own PT_INTERP and the host's glibc: the
 * baseline every other method is compared with. */
#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = method_base_env(rc);
	strv_push(&c->argv, rc->binary);
	method_push_args(&c->argv, rc);
	method_expect_run(rc, c);
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return method_predict(rc, true, SEARCH_NONE, p, err);
}

const struct method method_host = {
	.name = "host",
	.summary = "as built: the binary's own loader and the host's glibc",
	.caps = METHOD_HOST_ONLY,
	.prepare = prepare,
	.predict = predict,
};
