/* Building the root filesystems of containers/rootfs.tsv into the store.
 *
 * Debian suites are made by mmdebstrap from the archive apt uses
 * (mirror_debian()), in a staging directory under build/rootfs-<name>/,
 * then published whole (store_publish): a killed or interrupted build
 * leaves nothing listed, and the next build clears its leftovers (first
 * unmounting anything a killed mmdebstrap left mounted there).  The cache
 * key covers the suite's Release Date, so a suite that moved on is a new
 * build.  The busybox tree is the host's Debian busybox-static binary with
 * its applet links.  Images are imported (rootfs_import, acquire/image.h)
 * the same way: staged, then published whole.  The glibc version of a tree is read from its
 * libc.so.6 (version nodes, banner); nothing from the tree is executed. */
#ifndef GM_ROOTFS_BUILD_H
#define GM_ROOTFS_BUILD_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ui.h"
#include "store/rootfs.h"

/* Builds rec, with the packages of with (NULL-terminated, may be empty)
 * and those an earlier --with gave the tree, unless an entry with the same
 * key exists (*ret_cached; with refresh it is rebuilt anyway).  Fills
 * *ret.  Errors: GM_EXIT_INFRA for a failed download or mmdebstrap (the
 * message ends with its log's last lines), GM_EXIT_INTERRUPTED when
 * SIGINT/SIGTERM arrived. */
int rootfs_build(const struct gm_ctx *ctx, const struct rootfs_recipe *rec, char *const *with,
		 bool refresh, struct rootfs *ret, bool *ret_cached, struct gm_err **err);

/* Imports the image source names (acquire/image.h: oci-archive:FILE,
 * docker-archive:FILE, oci:DIR, podman:IMAGE through the command podman)
 * as root filesystem name, replacing one of that name; published like a
 * build (mount points added, nothing else), its manifest's variant
 * "image", its source the source, its key the image's digest.  Errors:
 * GM_EXIT_USAGE for a refused image (image.h), GM_EXIT_INFRA for podman
 * or the disk. */
int rootfs_import(const struct gm_ctx *ctx, const char *name, const char *source,
		  char *const *podman, struct rootfs *ret, struct gm_err **err);

/* Removes rootfs name from the store (moved to trash/ first, then
 * deleted, under its build lock).  0 if removed, 0 with *ret_missing when
 * it did not exist. */
int rootfs_remove(const struct gm_ctx *ctx, const char *name, bool *ret_missing,
		  struct gm_err **err);

#endif
