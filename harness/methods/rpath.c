/* rpath: a copy with RUNPATH into the sysroot only; the host's loader
 * stays and meets another glibc's libc.so.6: mixed-glibc by design. */
#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	return method_prepare_copy(rc, NULL, c, err);
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return method_predict(rc, true, SEARCH_RUNPATH, p, err);
}

const struct method method_rpath = {
	.name = "rpath",
	.summary = "patched copy: RUNPATH only, the host's loader stays",
	.caps = METHOD_PATCHED_COPY | METHOD_EMULATOR,
	.prepare = prepare,
	.predict = predict,
};
