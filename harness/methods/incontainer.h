/* What the container methods share (internal to methods/): where the root
 * filesystem keeps its libraries, seen from the host (for predictions) and
 * from inside (for expectations); staging a binary where the container
 * sees it; the environment of its programs; the glibc-inject hook.
 *
 * Every host path into a root filesystem is resolved inside it
 * (store/rootpath.h): its absolute symlinks (/lib64/ld-linux-x86-64.so.2 ->
 * /lib/x86_64-linux-gnu/...) name the host's files once read from outside. */
#ifndef GM_METHODS_INCONTAINER_H
#define GM_METHODS_INCONTAINER_H

#include <stdbool.h>

#include "methods/common.h"

/* The directories a distribution's loader searches by itself, inside the
 * container ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib",
 * "/usr/lib"), then the directory of the tree's libc.so.6 when it is
 * none of them ("/usr/lib64" in RHEL's layout). */
char **ctr_rootfs_dirs(const struct rootfs *r);
/* The same directories as host paths below r->root. */
char **ctr_rootfs_host_dirs(const struct rootfs *r);
/* The host path of the loader binary names (its PT_INTERP), resolved
 * inside the root filesystem; NULL if the tree has none (busybox) or the
 * binary names none. */
char *ctr_rootfs_loader(const struct rootfs *r, const char *binary);
/* Does the glibc-inject hook replace the tree's glibc with run's (the
 * tree has a glibc, and an older one)? */
bool ctr_injects(const struct rootfs *r, const struct sysroot *run);

/* Stages host file src (c->stage_src, c->stage_dst) as name (NULL: its
 * own) in rc->tree->container_dir and returns its path there. */
char *ctr_stage_file(const struct method_ctx *rc, struct method_cmd *c, const char *src,
		     const char *name);
/* Stages the binary and its companions; returns the binary's path inside
 * the container (rc->tree->container_dir/...).  Nothing is written. */
char *ctr_stage(const struct method_ctx *rc, struct method_cmd *c);
/* What cells share instead of making it each (a patched copy per binary
 * and run sysroot, not per tree): the path work/shared/<n> of the run's
 * work (rc->workdir's parent) for key, made (a file or a directory) by
 * make(rc, path, arg, err) the first time the key is asked for in this
 * process, by one thread.  0 and *ret_path; make's METHOD_REFUSED or -1 +
 * err (not remembered: the next cell asks again). */
int ctr_shared(const struct method_ctx *rc, const char *key,
	       int (*make)(const struct method_ctx *rc, const char *path, void *arg,
			   struct gm_err **err),
	       void *arg, char **ret_path, struct gm_err **err);
/* The environment of the programs: LC_ALL=C and, unless lazy, LD_BIND_NOW=1. */
char **ctr_env(const struct method_ctx *rc);

/* Predicts the binary run in the tree with the tree's own glibc, or with
 * run's glibc injected as a whole set (inject) or libc.so.6 alone
 * (libc_only) when ctr_injects(); libc-only staging goes to rc->workdir. */
int ctr_predict(const struct method_ctx *rc, const struct sysroot *injected, bool libc_only,
		struct gm_prediction *p, struct gm_err **err);
/* Predicts the binary on the tree's own glibc with the directories first
 * searched before the tree's (what an updated ld.so.cache names). */
int ctr_predict_with(const struct method_ctx *rc, char *const *first, struct gm_prediction *p,
		     struct gm_err **err);
/* The expectation of a probe run on the tree's glibc. */
void ctr_expect_rootfs(const struct method_ctx *rc, struct method_cmd *c);

/* The colon-separated host files of run's glibc that a hook injects: its
 * loader and every glibc library of its directories (libc.so.6 alone when
 * libc_only). */
char *ctr_glibc_files(const struct sysroot *run, bool libc_only);
/* Sets c's hook: rc->hook if given, else our glibc-inject (--partial when
 * libc_only); GLIBC_LIBS and LDCONFIG_PATH in its environment, as Sarus's
 * hook reads them. */
int ctr_inject_hook(const struct method_ctx *rc, bool libc_only, struct method_cmd *c,
		    struct gm_err **err);
/* The staged binary with its arguments and ctr_env(). */
int ctr_prepare_staged(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err);
/* prepare of inject and inject-libc-only: the staged binary, the hook,
 * and the expectation (run's glibc when the hook replaces the tree's). */
int ctr_prepare_inject(const struct method_ctx *rc, bool libc_only, struct method_cmd *c,
		       struct gm_err **err);

#endif
