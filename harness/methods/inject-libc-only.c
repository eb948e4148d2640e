/* inject-libc-only: negative control of inject: the hook puts libc.so.6
 * alone over the tree's, which keeps its own loader and libraries: a mixed
 * glibc, the failure of a half-done injection. */
#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	return ctr_prepare_inject(rc, true, c, err);
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return ctr_predict(rc, rc->run, true, p, err);
}

const struct method method_inject_libc_only = {
	.name = "inject-libc-only",
	.summary = "negative control: the hook injects libc.so.6 alone (mixed glibc)",
	.caps = METHOD_CONTAINER | METHOD_BINFMT | METHOD_HOOK | METHOD_IMAGE_CHECK,
	.prepare = prepare,
	.predict = predict,
};
