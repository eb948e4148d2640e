/* The hook's plan: every bind mount it will make (a host file over a file
 * inside the container's root), resolved and checked before the first
 * one, and the scratch overlays (scratch.h) the files it creates live in.
 *
 * A target is opened beneath the fd of its directory, resolved once
 * (struct plan_dir): the set's files cannot end up split across two
 * directories when the image's tree is changed while the hook runs.  A
 * target that is a symbolic link is followed inside the root, as the
 * container will follow it. */
#ifndef GM_HOOK_PLAN_H
#define GM_HOOK_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "hook/hostset.h"
#include "hook/inroot.h"

/* One bind mount to make: a host file over a file inside the root. */
struct plan_item {
	int tree;                   /* detached mount of the host file; -1 once mounted */
	int target;                 /* O_PATH of the resolved target */
	dev_t dev;
	ino_t ino;
	dev_t src_dev;              /* the host file's, for ldconfig's view */
	ino_t src_ino;
	char *rel;                  /* the target as named, relative to the root */
	const struct host_file *src;
};

/* A scratch overlay the plan made, for ldconfig's view. */
struct plan_overlay {
	char *rel;                  /* its directory, relative to the root */
	int fd;                     /* its root (attached) */
};

struct plan {
	struct plan_item *items;
	size_t n, alloc;
	struct plan_overlay *overlays;
	size_t n_overlays;
};

/* A directory targets are planned in: resolved once. */
struct plan_dir {
	int rootfd;
	int fd;                     /* O_PATH | O_DIRECTORY */
	const char *rel;            /* relative to the root, for messages and links */
};

enum target_mode {
	TARGET_CREATE,    /* create the file when the tree lacks it */
	/* The same, but where it cannot be created (a read-only tree) the
	 * file is left out with a warning. */
	TARGET_CREATE_OR_SKIP,
	TARGET_EXISTING,  /* only where the tree has it */
};

/* Opens name in d (O_PATH): beneath d->fd, a symbolic link followed
 * inside the root.  -1 + err; sys_errno ENOENT only when name itself is
 * absent, ENOLINK when it is a symbolic link to nothing. */
int plan_open_target(const struct plan_dir *d, const char *name, struct gm_err **err);

/* Plans src over d/name.  1 planned, 0 left out (absent and
 * TARGET_EXISTING, not creatable and TARGET_CREATE_OR_SKIP, or already
 * planned for the same host file), -1 + err.  A file created in the
 * image is journalled in u. */
int plan_target(const struct plan_dir *d, const char *name, enum target_mode mode,
		struct host_file *src, struct plan *p, struct inroot_undo *u, struct gm_err **err);

/* Remembers a scratch overlay (fd is dup'ed). */
void plan_add_overlay(struct plan *p, const char *rel, int fd);

/* Binds every planned file over its target; each mount journalled in u. */
int plan_mount(struct plan *p, struct inroot_undo *u, struct gm_err **err);

void plan_release(struct plan *p);

#endif
