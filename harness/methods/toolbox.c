/* toolbox: Toolbx's way of running one host binary in containers of any
 * distribution: the glibc it needs is bind-mounted at /run/host and the
 * binary names it: PT_INTERP and RUNPATH under /run/host.  The tree's own
 * glibc never takes part; its other libraries still may (after RUNPATH). */
#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

#define HOST_DIR "/run/host"

/* A path of the run sysroot as the container sees it.  The host itself
 * (dir "/") is Toolbx's own case: its paths are resolved first, because
 * its absolute symbolic links (/lib64/ld-linux-x86-64.so.2 ->
 * /lib/x86_64-linux-gnu/...) would resolve inside the container, to the
 * tree's own loader. */
static char *under_host(const struct sysroot *run, const char *path)
{
	if (strcmp(run->dir, "/") == 0) {
		cleanup_free char *real = realpath(path, NULL);
		return xasprintf(HOST_DIR "%s", real ? real : path);
	}
	size_t n = strlen(run->dir);
	if (strncmp(path, run->dir, n) == 0 && (path[n] == '/' || !path[n]))
		return xasprintf(HOST_DIR "%s", path + n);
	return xstrdup(path);
}

struct copy_job {
	const char *interp, *runpath;
	struct method_cmd *c;
};

static int make_copy(const struct method_ctx *rc, const char *path, void *arg, struct gm_err **err)
{
	struct copy_job *cj = arg;
	return method_patch_to(rc, cj->interp, cj->runpath, path, cj->c, err);
}

static int prepare(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	cleanup_free char *interp = under_host(rc->run, rc->run->loader);
	cleanup_strv char **dirs = xcalloc(1, sizeof(char *));
	for (size_t i = 0; rc->run->libdirs[i]; i++)
		strv_push_take(&dirs, under_host(rc->run, rc->run->libdirs[i]));
	cleanup_free char *runpath = method_join_colon(dirs);
	/* The copy is the same in every tree: made once per binary and run
	 * sysroot. */
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "toolbox\t%s\t%s\t%s", rc->binary, interp, runpath);
	for (size_t i = 0; rc->companions && rc->companions[i]; i++)
		strbuf_addf(&key, "\t%s", rc->companions[i]);
	struct copy_job cj = {.interp = interp, .runpath = runpath, .c = c};
	cleanup_free char *copy = NULL;
	int r = rc->image_program ? 0 : ctr_shared(rc, strbuf_str(&key), make_copy, &cj, &copy, err);
	strbuf_release(&key);
	if (r != 0)
		return r;
	const char *b = strrchr(rc->binary, '/');
	/* The patched copy under the binary's name, the companions beside it;
	 * the image's own programs as they are, in the same container. */
	strv_push_take(&c->argv, rc->image_program
					 ? xstrdup(rc->image_program)
					 : ctr_stage_file(rc, c, copy, b ? b + 1 : rc->binary));
	for (size_t i = 0; !rc->image_program && rc->companions && rc->companions[i]; i++)
		free(ctr_stage_file(rc, c, rc->companions[i], NULL));
	method_push_args(&c->argv, rc);
	c->env = ctr_env(rc);
	/* The libc's compiled-in gconv directory is its prefix (source) or
	 * the tree's own /usr/lib/<triplet>/gconv (another glibc's modules):
	 * point it at its own, under /run/host. */
	cleanup_free char *gconv = method_gconv_dir(rc->run);
	if (gconv) {
		cleanup_free char *in = under_host(rc->run, gconv);
		strv_push_take(&c->env, xasprintf("GCONV_PATH=%s", in));
	}
	strv_push(&c->mount_src, rc->run->dir);
	strv_push(&c->mount_dst, HOST_DIR);
	c->expect.glibc_version = rc->run->glibc_version;
	c->expect_dirs = dirs;
	dirs = NULL;
	c->expect.libdirs = c->expect_dirs;
	return 0;
}

static int predict(const struct method_ctx *rc, struct gm_prediction *p, struct gm_err **err)
{
	/* The image's own program runs on the tree's own glibc, beside
	 * /run/host. */
	if (rc->image_program)
		return ctr_predict_with(rc, NULL, p, err);
	/* After RUNPATH the loader searches its built-in directories, which
	 * are the tree's for a distribution's loader (/lib/<triplet>, ...)
	 * and its configure prefix, absent from the container, for one
	 * built from source. */
	cleanup_strv char **sys = rc->run->origin == ORIGIN_SOURCE
					  ? xcalloc(1, sizeof(char *))
					  : ctr_rootfs_host_dirs(rc->tree->rootfs);
	struct predict_env env = {
		.interp = rc->run->loader,
		.main_runpath = rc->run->libdirs,
		.system_dirs = sys,
		.dlopened = rc->dlopened,
		.runtime = rc->runtime,
		.interp_glibc = rc->run->glibc_version,
	};
	return predict_process(rc->binary, &env, p, err);
}

const struct method method_toolbox = {
	.name = "toolbox",
	.summary = "Toolbx: glibc at /run/host, PT_INTERP and RUNPATH under /run/host",
	.caps = METHOD_CONTAINER | METHOD_PATCHED_COPY | METHOD_IMAGE_CHECK,
	.prepare = prepare,
	.predict = predict,
};
