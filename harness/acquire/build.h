/* Building a glibc sysroot from source.
 *
 * The source is a version known by name (sysroots/versions.tsv: tarball from
 * the Debian archive, checked against its sha256), a local tarball, or an
 * unpacked tree (a developer's patched glibc).  It is always built from a
 * private copy with the quirks of sysroots/quirks.tsv applied, out of tree,
 * configured with --prefix = the sysroot's final path, installed into a
 * staging directory, completed (kernel headers, manifest), checked (its
 * loader runs) and renamed into place as the very last step.  Same inputs
 * (source sha256, configure arguments, compiler, arch, quirks) give the same
 * cache key, and an existing sysroot with that key is reused. */
#ifndef GM_BUILD_H
#define GM_BUILD_H

#include <stdbool.h>

#include "base/ui.h"
#include "base/err.h"
#include "store/sysroot.h"

struct build_opts {
	const char *input;        /* version, tarball or directory */
	const char *name;         /* NULL: derived */
	int jobs;                 /* <= 0: number of CPUs */
	char **configure_args;    /* user's extra arguments (NULL-terminated, may be NULL) */
	bool keep_build_dir;      /* keep src/ obj/ after success (debugging) */
	/* GNU name of the architecture to build for (NULL: this machine's).
	 * Another one is cross-built with Debian's <triplet>-gcc, configured
	 * --host=<triplet>, verified under qemu-user, named glibc-X.Y-<deb>. */
	const char *arch;
};

/* Fetches and verifies the source of a known version (or checks a local
 * tarball) without building; *ret is the tarball's path. */
int build_download_only(const struct gm_config *cfg, const char *input, char **ret,
			struct gm_err **err);

/* On success fills *ret (the sysroot as in the store) and *ret_cached. */
int build_sysroot(const struct gm_ctx *ctx, const struct build_opts *opts, struct sysroot *ret,
		  bool *ret_cached, struct gm_err **err);

/* Builds the known glibc `version` (its quirks applied) as a distribution
 * does: configured --prefix=/usr, so that on x86_64 its libraries go to
 * /lib64 and /usr/lib64 and its loader searches them, and installed into
 * root (make install DESTDIR=root); then its loader must run its libc.
 * Every step runs confined (exec/confine.h): only workdir (source copy,
 * objects, TMPDIR, build.log) and root are writable, so an install that
 * missed DESTDIR fails instead of replacing the host's /lib64.  Not
 * cached (the caller's tree is); workdir is the caller's to remove. */
int build_into_root(const struct gm_ctx *ctx, const char *version, const char *root,
		    const char *workdir, struct gm_err **err);

/* The GLIBC version of a source tree, from its version.h ("2.42"). */
int build_tree_version(const char *srcdir, char **ret, struct gm_err **err);

/* SHA-256 over a directory tree: sorted paths, types, modes, contents and
 * link targets (so a patched tree has a different key than its original). */
int build_tree_hash(const char *dir, char out[65], struct gm_err **err);

#endif
