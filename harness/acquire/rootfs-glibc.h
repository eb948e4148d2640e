/* A root filesystem laid out as Red Hat's systems are (issue 24): a glibc
 * built from source as a distribution builds it, --prefix=/usr, so its
 * loader and libraries are in /lib64 and /usr/lib64 (merged: /lib64 is a
 * link to usr/lib64, as on RHEL 8 and 9) and its loader searches there, not
 * in Debian's multiarch directories; /etc/ld.so.conf with its include of
 * ld.so.conf.d, the cache made by the tree's own ldconfig, and glibc's own
 * programs (getconf, getent, iconv, ldconfig).  rootfs-build.c adds the
 * host's static busybox for a shell.  It is not RHEL: none of Red Hat's
 * patches or packages, only the layout and the version. */
#ifndef GM_ROOTFS_GLIBC_H
#define GM_ROOTFS_GLIBC_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ui.h"

/* What the tree's key covers of its glibc: "glibc VERSION sha256 HEX" of
 * the pinned source (sysroots/versions.tsv); a version not listed there is
 * a usage error. */
int rootfs_glibc_source(const struct gm_config *cfg, const char *version, char **ret,
			struct gm_err **err);

/* Whether the source of `version` can be had here: a tarball of the Debian
 * archive's pool always can (it is downloaded); a release from the local
 * glibc source directory only when that directory holds its tarball.
 * false and *ret_why (the caller frees) when it cannot. */
bool rootfs_glibc_available(const struct gm_config *cfg, const char *version, char **ret_why);

/* Makes the tree in root (an empty directory): the merged-/usr links, glibc
 * `version` built in workdir and installed (acquire/build.h:
 * build_into_root, confined), the files under /etc, then the cache by the
 * tree's ldconfig -r root, itself confined to root.  On a failed glibc build
 * its log is kept as keep_log (the caller's build directory goes) and the
 * error names it. */
int rootfs_glibc_tree(const struct gm_ctx *ctx, const char *version, const char *root,
		      const char *workdir, const char *keep_log, struct gm_err **err);

#endif
