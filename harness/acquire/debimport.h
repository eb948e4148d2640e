/* `sysroot import`: a complete sysroot from a Debian suite's binary
 * packages (libc6, libc6-dev, linux-libc-dev, libgcc-s1), verified against
 * the suite's Release file and Packages index, assembled in a staging
 * directory and renamed into the store as the last step. */
#ifndef GM_DEBIMPORT_H
#define GM_DEBIMPORT_H

#include <stdbool.h>

#include "base/err.h"
#include "store/sysroot.h"

struct debimport_opts {
	const char *suite;   /* bookworm, sid, ... ([a-z0-9-]+) */
	const char *arch;    /* Debian name: amd64, arm64, riscv64; NULL: the host's */
	const char *name;    /* NULL: debian-<suite>-<arch> */
	bool refresh;        /* re-read the index even if the sysroot exists */
	/* Progress notes ("downloading libc6 ..."); may be NULL. */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
};

enum debimport_state {
	DEBIMPORT_CACHED,     /* existed, not looked at again (no network) */
	DEBIMPORT_UNCHANGED,  /* --refresh: the index still names the same packages */
	DEBIMPORT_IMPORTED,   /* new sysroot */
	DEBIMPORT_REPLACED,   /* --refresh: packages changed, old sysroot replaced */
};

/* Imports (or finds) the sysroot; *ret gets its manifest. */
int debimport_run(const struct debimport_opts *opts, struct sysroot *ret,
		  enum debimport_state *ret_state, struct gm_err **err);

/* Exposed for unit tests. */
bool debimport_suite_valid(const char *suite);
/* Lexically joins a symlink target to the directory dir (both relative to a
 * root, target may be absolute = from the root), clamping ".." at the root
 * as the kernel does in a chroot.  *escaped (may be NULL) tells whether
 * clamping was needed.  Returns "" for the root itself. */
char *debimport_norm_target(const char *dir, const char *target, bool *escaped);
/* Relative path from directory from to path to (both relative to a root). */
char *debimport_relpath(const char *from, const char *to);
/* Resolves rel under root following symlinks inside root only; returns the
 * canonical path relative to root, or NULL if it does not exist. */
char *debimport_resolve(const char *root, const char *rel);
/* Rewrites every absolute (or escaping) symlink under root into a relative
 * one that stays inside root. */
int debimport_fix_symlinks(const char *root, struct gm_err **err);

#endif
