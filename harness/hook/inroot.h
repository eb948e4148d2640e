/* Paths inside a container's root filesystem, opened from the host side
 * (glibc-inject runs in the runtime's namespaces, the root not yet
 * pivoted to).
 *
 * The tree belongs to whoever built the image: any component may be a
 * symbolic link meant to lead out of it ("lib64 -> /lib64", "libc.so.6 ->
 * ../../../../etc/shadow").  Every path is therefore resolved by the kernel
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) against the root's
 * fd: an absolute link or ".." stops at the root exactly as it would after
 * pivot_root, and /proc magic links are refused.  Nothing here joins a
 * string to the root's path and opens that.
 *
 * Every change made inside the root is recorded in a journal (struct
 * inroot_undo) so that a failure takes all of it back: mounts are detached,
 * created files and directories removed, newest first. */
#ifndef GM_INROOT_H
#define GM_INROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* openat2(rootfd, rel, flags | O_CLOEXEC, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS).  rel is relative to the root ("lib64/ld.so");
 * a leading '/' is ignored.  -1 + err naming rel on failure; the error's
 * sys_errno tells ENOENT apart from a refusal (ELOOP, EXDEV, ...). */
int inroot_open(int rootfd, const char *rel, int flags, struct gm_err **err);

/* true for one plain name: not empty, no '/', not "." or "..". */
bool inroot_plain_name(const char *name);

struct inroot_step;
struct inroot_undo {
	struct inroot_step *steps;
	size_t n, alloc;
};

/* Records a change.  umount: tree_fd is the fd of a mount now attached in
 * the root (open_tree + move_mount); the journal owns it from here.
 * unlink / rmdir: dirfd (dup'ed) and name of what was created. */
void inroot_undo_umount(struct inroot_undo *u, int tree_fd, const char *what);
void inroot_undo_unlink(struct inroot_undo *u, int dirfd, const char *name, const char *what);
void inroot_undo_rmdir(struct inroot_undo *u, int dirfd, const char *name, const char *what);
/* Takes every recorded change back, newest first; returns the number of
 * steps that failed (each is reported through hook_msg). */
size_t inroot_undo_run(struct inroot_undo *u);
/* Forgets the journal (success): closes its fds, undoes nothing. */
void inroot_undo_release(struct inroot_undo *u);

/* Opens directory rel (O_PATH) below the root, creating each missing
 * component with mkdirat (mode 0755) in the directory resolved before it;
 * each creation is journalled.  A component that exists and is not a
 * directory, or a link whose target is missing or outside reach, is
 * refused. */
int inroot_mkdirs(int rootfd, const char *rel, struct inroot_undo *u, struct gm_err **err);

#endif
