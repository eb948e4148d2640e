/* container: the binary runs in a root filesystem on the tree's own glibc
 * (what happens when an image built on an older distribution gets a newer
 * binary: symbol-version). */
#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/cleanup.h"
#include "base/util.h"

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	if (ctr_prepare_staged(rc, c, err) < 0)
		return -1;
	ctr_expect_rootfs(rc, c);
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	return ctr_predict(rc, NULL, false, p, err);
}

const struct method method_container = {
	.name = "container",
	.summary = "in a root filesystem (OCI runtime), on the tree's own glibc",
	.caps = METHOD_CONTAINER | METHOD_ROOTFS_ONLY | METHOD_BINFMT,
	.prepare = prepare,
	.predict = predict,
};
