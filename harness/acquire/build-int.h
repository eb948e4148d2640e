/* Internal to the source build (acquire/build*.c):
 *   build-source.c  what is built: version, source identity, fetching
 *   build.c         the steps (configure, make, install), quirks, the API
 *   build-verify.c  checking the staged result and publishing it */
#ifndef GM_BUILD_INT_H
#define GM_BUILD_INT_H

#include "acquire/build.h"
#include "base/progress.h"
#include "store/recipes.h"

/* Everything one build needs; released by build_release. */
struct build {
	const struct gm_ctx *ctx;
	const struct gm_config *cfg; /* the store, recipes and mirror (ctx->cfg) */
	const struct build_opts *opts;
	char *version;
	char *name;
	char *source_sha256;
	char *tarball;        /* local or downloaded tarball, or NULL for a tree */
	char *url;            /* download URL for a known version */
	char *tree;           /* user's source tree, or NULL */
	char *final;          /* store/sysroots/<name>; NULL for build_into_root */
	/* build_into_root: the tree installed into (prefix /usr), and the
	 * directories its confined steps may write (workdir and root). */
	const char *usr_root;
	const char *confine_rw[3];
	char *tmpdir;         /* TMPDIR of confined steps (inside workdir) */
	char *builddir;       /* store/build/<name> */
	char *src, *obj, *stage, *log;
	char *compiler;
	char *arch;           /* GNU name of the target */
	bool cross;           /* the target is not this machine */
	char *triplet;        /* cross: the target's GNU triplet (its kernel headers) */
	char *emulator;       /* cross: qemu-user for the target (the verification) */
	char **configure_args; /* cross setup's, quirks', then user's */
	struct quirks quirks;
	char cache_key[65];
	int log_fd;
	int lock_fd;
	struct progress progress;
	const char *phase;
};

/* Resolves opts->input into version, source hash and where the source
 * comes from (known version, tarball or tree). */
int build_resolve_input(struct build *b, struct gm_err **err);
/* Downloads or checks the tarball and unpacks it (or copies the tree) to b->src. */
int build_fetch_source(struct build *b, struct gm_err **err);
/* Completes the staged install (kernel headers, manifest), verifies it and
 * publishes it; fills *ret. */
int build_publish(struct build *b, struct sysroot *ret, struct gm_err **err);

/* The staged loader runs the staged libc (its banner names b->version) and,
 * from 2.33 on, answers --version with it too. */
int build_verify_libc(struct build *b, const char *loader, const char *libdir,
		      struct gm_err **err);

/* A line in the build log. */
void build_log(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Runs one build step under the log; a failure names the phase and shows
 * the log's tail. */
int build_step(struct build *b, const char *phase, char **argv, const char *cwd,
	       struct gm_err **err);

#endif
