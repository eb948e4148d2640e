/* inject: the run sysroot's glibc put into the root filesystem by an OCI
 * hook (Sarus's glibc hook: the whole set, only over an older glibc), ours
 * (glibc-inject) or the one run --hook names. */
#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	return ctr_prepare_inject(rc, false, c, err);
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return ctr_predict(rc, rc->run, false, p, err);
}

const struct method method_inject = {
	.name = "inject",
	.summary = "in a root filesystem whose older glibc an OCI hook replaced (whole set)",
	.caps = METHOD_CONTAINER | METHOD_BINFMT | METHOD_HOOK | METHOD_IMAGE_CHECK,
	.prepare = prepare,
	.predict = predict,
};
