/* The container's ld.so cache, rebuilt so that a library directory the hook
 * injected is searched without LD_LIBRARY_PATH or RUNPATH (the way
 * NVIDIA's container toolkit registers driver libraries).
 *
 * Only a trusted ldconfig of the host runs, never a binary of the
 * container: its file is opened and checked once, on the host, and that
 * very file is executed (fexecve), so it cannot be swapped between the
 * check and the exec.  It runs as `ldconfig -r <root>` with <root> its
 * working directory: ldconfig chroots there, so every link inside the
 * tree resolves inside it, as it will for the container. */
#ifndef GM_LDCACHE_H
#define GM_LDCACHE_H

#include "base/err.h"
#include "hook/inroot.h"

/* The drop-in that names the injected directory. */
#define LDCACHE_DROPIN_DIR "etc/ld.so.conf.d"
#define LDCACHE_DROPIN_NAME "000-glibc-inject.conf"

/* Opens path for execution after checking it: absolute, a regular file
 * (links followed), owned by root, not writable by group or others.
 * Returns the fd (O_CLOEXEC) or -1 + err saying which rule failed. */
int ldcache_open_trusted(const char *path, struct gm_err **err);

/* Writes <root>/etc/ld.so.conf.d/000-glibc-inject.conf naming lib_dir
 * (directories created as needed, the file opened O_NOFOLLOW through its
 * resolved parent, a hard-linked file refused); journalled in u. */
int ldcache_write_dropin(int rootfd, const char *lib_dir, struct inroot_undo *u,
			 struct gm_err **err);

/* Runs the checked ldconfig (ldconfig_fd) as `ldconfig -r <root> lib_dir` in a
 * forked child with a private mount namespace (unshare(CLONE_NEWNS), /
 * made rprivate, so nothing it might mount reaches anyone), an empty
 * environment and a 60 s limit.  Its output lines are passed on as
 * messages.  0, or -1 + err with the status and the last lines. */
int ldcache_run(int ldconfig_fd, int rootfd, const char *lib_dir, struct gm_err **err);

#endif
