/* ldcache: the NVIDIA container toolkit's way of making host libraries
 * visible in a container: the probe's library, built against the run
 * sysroot (a driver built on some glibc), is bound into
 * /usr/local/lib/glibc-inject by our hook, which writes a drop-in under
 * /etc/ld.so.conf.d and rebuilds the tree's ld.so.cache with the host's
 * trusted ldconfig.  The program runs on the tree's own glibc and finds the
 * library through the cache only; the library's own floor meets the tree's
 * glibc there. */
#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <libgen.h>
#include <string.h>

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	if (!rc->tree->run_library) {
		c->refusal = xstrdup("no library to inject (a probe's, cases.ini \"library\")");
		return METHOD_REFUSED;
	}
	if (ctr_prepare_staged(rc, c, err) < 0)
		return -1;
	const char *ours = oci_hook_binary(rc->cfg, err);
	if (!ours)
		return -1;
	strv_push(&c->hook_argv, ours);
	strv_push(&c->hook_argv, "--lib");
	strv_push(&c->hook_argv, rc->tree->run_library);
	strv_push(&c->hook_argv, "--update-cache");
	strv_push(&c->hook_env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	ctr_expect_rootfs(rc, c);
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	/* The cache names the injected library; the rest comes from the
	 * tree as for the container method. */
	if (!rc->tree->run_library)
		return gm_usage(err, "ldcache: no library to inject (a probe's, cases.ini \"library\")");
	cleanup_free char *copy = xstrdup(rc->tree->run_library);
	char *const extra[] = {dirname(copy), NULL};
	return ctr_predict_with(rc, extra, p, err);
}

const struct method method_ldcache = {
	.name = "ldcache",
	.summary = "in a root filesystem, a library injected and registered in ld.so.cache",
	.caps = METHOD_CONTAINER | METHOD_PROBE_LIBRARY | METHOD_IMAGE_CHECK,
	.prepare = prepare,
	.predict = predict,
};
