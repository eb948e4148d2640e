/* interp: a copy of the binary with PT_INTERP = the sysroot's ld.so and
 * RUNPATH = its library directories (patchelf's recipe, Toolbx's way). */
#define _GNU_SOURCE
#include "routes/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct route_ctx *rc, struct route_cmd *c, struct gm_err **err)
{
	return route_prepare_copy(rc, rc->run->loader, c, err);
}

static int predict(const struct route_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(rc, false, SEARCH_RUNPATH, p, err);
}

const struct route route_interp = {
	.name = "interp",
	.summary = "patched copy: PT_INTERP = the sysroot's ld.so, RUNPATH = its libdirs",
	.caps = ROUTE_PATCHED_COPY | ROUTE_CHECK_DEFAULT | ROUTE_EXEC | ROUTE_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
