/* rpath: a copy with RUNPATH into the sysroot only; the host's loader
 * stays and meets another glibc's libc.so.6: mixed-glibc by design. */
#define _GNU_SOURCE
#include "routes/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct route_ctx *rc, struct route_cmd *c, struct gm_err **err)
{
	return route_prepare_copy(rc, NULL, c, err);
}

static int predict(const struct route_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(rc, true, SEARCH_RUNPATH, p, err);
}

const struct route route_rpath = {
	.name = "rpath",
	.summary = "patched copy: RUNPATH only, the host's loader stays",
	.caps = ROUTE_PATCHED_COPY | ROUTE_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
