/* host: the binary as built, its own PT_INTERP and the host's glibc: the
 * baseline every other route is compared with. */
#define _GNU_SOURCE
#include "routes/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct route_ctx *rc, struct route_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = route_base_env(rc);
	strv_push(&c->argv, rc->binary);
	route_push_args(&c->argv, rc);
	route_expect_run(rc, c);
	return 0;
}

static int predict(const struct route_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(rc, true, SEARCH_NONE, p, err);
}

const struct route route_host = {
	.name = "host",
	.summary = "as built: the binary's own loader and the host's glibc",
	.caps = ROUTE_HOST_ONLY,
	.prepare = prepare,
	.predict = predict,
};
