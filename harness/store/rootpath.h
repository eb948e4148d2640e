/* Paths inside a root directory, resolved as the kernel resolves them in a
 * chroot: ".." stops at the root and an absolute symlink target means "from
 * the root".  Imported sysroots are made of Debian packages whose symlinks
 * are absolute (/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...),
 * which name the HOST's files once the tree lives elsewhere; these helpers
 * find and rewrite them, and the container root file systems of later
 * stages need the same. */
#ifndef GM_ROOTPATH_H
#define GM_ROOTPATH_H

#include <stdbool.h>

#include "base/err.h"

/* Lexically joins a symlink target to the directory dir (both relative to a
 * root, target may be absolute = from the root), clamping ".." at the root
 * as the kernel does in a chroot.  *escaped (may be NULL) tells whether
 * clamping was needed.  Returns "" for the root itself. */
char *rootpath_norm_target(const char *dir, const char *target, bool *escaped);
/* Relative path from directory from to path to (both relative to a root). */
char *rootpath_rel(const char *from, const char *to);
/* Resolves rel under root following symlinks inside root only; returns the
 * canonical path relative to root, or NULL if it does not exist. */
char *rootpath_resolve(const char *root, const char *rel);
/* Rewrites every absolute (or escaping) symlink under root into a relative
 * one that stays inside root. */
int rootpath_fix_symlinks(const char *root, struct gm_err **err);

#endif
