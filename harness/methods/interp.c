/* interp: a copy of the binary with PT_INTERP = the sysroot's ld.so and
 * RUNPATH = its library directories (patchelf's recipe, Toolbx's way). */
#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	int r = method_prepare_copy(rc, rc->run->loader, c, err);
	c->cover_host_libs = r == 0 && rc->target_libs;
	return r;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return method_predict(rc, false, SEARCH_RUNPATH, p, err);
}

const struct method method_interp = {
	.name = "interp",
	.summary = "patched copy: PT_INTERP = the sysroot's ld.so, RUNPATH = its libdirs",
	.caps = METHOD_PATCHED_COPY | METHOD_CHECK_DEFAULT | METHOD_EXEC | METHOD_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
