/* The container's ld.so cache, rebuilt so that a library directory the hook
 * injected is searched without LD_LIBRARY_PATH or RUNPATH (the way
 * NVIDIA's container toolkit registers driver libraries).
 *
 * Only a trusted ldconfig of the host runs, never a binary of the
 * container: its file is opened and checked once, on the host, and that
 * very file is executed (fexecve), so it cannot be swapped between the
 * check and the exec.  It runs as `ldconfig -r .` in a view of the root
 * made for it alone: a non-recursive clone of the root's own mount, so
 * none of the container's other mounts is in it (its /proc, where
 * proc/1/root is still the host's / at createRuntime, its /sys, /dev and
 * binds of host directories), plus the files the hook bound.  ldconfig
 * chroots there, so every directory the image's ld.so.conf names and
 * every soname of an image library ("../proc/1/root/...") resolves inside
 * the image's own files, whatever it says. */
#ifndef GM_LDCONFIG_H
#define GM_LDCONFIG_H

#include <stddef.h>

#include "base/err.h"
#include "hook/inroot.h"

/* The drop-in that names the injected directory. */
#define LDCONFIG_DROPIN_DIR "etc/ld.so.conf.d"
#define LDCONFIG_DROPIN_NAME "000-glibc-inject.conf"

/* Opens path for execution after checking it: absolute, a regular file
 * (links followed), owned by root, not writable by group or others.
 * Returns the fd (O_CLOEXEC) or -1 + err saying which rule failed. */
int ldconfig_open_trusted(const char *path, struct gm_err **err);

/* Writes <root>/etc/ld.so.conf.d/000-glibc-inject.conf naming lib_dir
 * (directories created as needed, the file opened O_NOFOLLOW through its
 * resolved parent, a hard-linked file refused); journalled in u. */
int ldconfig_write_dropin(int rootfd, const char *lib_dir, struct inroot_undo *u,
			 struct gm_err **err);

/* A file the hook bound into the root, for ldconfig's view: rel is its
 * path relative to the root, tree a detached clone of the bound file. */
struct ldconfig_bind {
	const char *rel;
	int tree;
};

/* Runs the checked ldconfig (ldconfig_fd) as `ldconfig -r . lib_dir` in a
 * forked child with a private mount namespace (unshare(CLONE_NEWNS), /
 * made rprivate, so nothing it might mount reaches anyone) whose working
 * directory is the view described above: the root's mount alone, the
 * binds[] attached at their paths; an empty environment, its own
 * process group, and a 60 s limit that kills the group (base/drain.h).
 * Its output lines (the first 16 KiB) are passed on as messages.  0, or
 * -1 + err with the status. */
int ldconfig_run(int ldconfig_fd, int rootfd, const char *lib_dir, const struct ldconfig_bind *binds,
		size_t n_binds, struct gm_err **err);

#endif
