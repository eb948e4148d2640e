/* Directories of a container's tree that take new files without the image
 * being written: an overlay whose lower layer is the directory as it is and
 * whose upper layer is a private tmpfs, mounted over the directory in the
 * container's mount namespace.  The hook needs a file to bind a host
 * library over; for a library the image lacks, that file (and the
 * directories of --lib-dir) are made there, so nothing stays in the image
 * once the container is gone (on a plain directory bundle, a file created
 * in the tree itself would stay for good).
 *
 * An overlay hides whatever is mounted below the directory (another hook's
 * binds of driver libraries into /usr/lib/<triplet>, say), so it is used
 * only where nothing is; scratch_usable says whether that holds. */
#ifndef GM_SCRATCH_H
#define GM_SCRATCH_H

#include <stdbool.h>

#include "base/err.h"
#include "hook/inroot.h"

/* The bytes a container may write into such a directory: its writes
 * there last as long as it does. */
#define SCRATCH_TMPFS_SIZE "64m"

/* *why NULL when an overlay on dirfd's directory (an O_PATH fd in the
 * current mount namespace) hides nothing: it is not the root of the tree
 * (rootfd) and has no mount below it; else why not (the caller's).  -1 +
 * err when /proc/self/mountinfo cannot be read. */
int scratch_usable(int rootfd, int dirfd, char **why, struct gm_err **err);

/* Mounts over dirfd's directory an overlay whose upper layer, a private
 * tmpfs, holds the directory sub (relative, "" for none; made with its
 * parents) and in it an empty file for each name of files (names the
 * directory lacks: a file of the upper layer hides the lower one).  They
 * are made before the overlay is mounted, which is read-only when
 * dirfd's own mount is (Sarus's squashfs images stay read-only).  The
 * mount is journalled in u (undoing it takes every file made with it).
 * Returns the overlay's root (the caller's fd), or -1 + err naming what. */
int scratch_mount(int dirfd, const char *sub, char *const *files, const char *what,
		  struct inroot_undo *u, struct gm_err **err);

#endif
