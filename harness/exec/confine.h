/* Confinement of a child's view of the host's files: the child runs in a
 * mount namespace of its own in which every mount is read-only except a
 * few named subtrees.  For programs that run as root and must not be
 * trusted with the host (an OCI runtime and the hooks it starts: a hook
 * that writes through /proc/<pid>/root at createRuntime writes the host's
 * root, and once overwrote this machine's libc).  A write elsewhere fails
 * with EROFS; nothing done in the namespace (mounts, read-only flags)
 * reaches the host, while the host's later mounts and unmounts still reach
 * the namespace (MS_SLAVE). */
#ifndef GM_CONFINE_H
#define GM_CONFINE_H

/* The most writable subtrees one confinement can keep. */
#define CONFINE_RW_MAX 8

/* Enters the confinement: unshare(CLONE_NEWNS), / made a recursive slave,
 * every mount read-only (mount_setattr AT_RECURSIVE) but clones of the
 * subtrees named by rw (NULL-terminated absolute paths of existing
 * directories, at most CONFINE_RW_MAX), taken before and mounted back on
 * their paths, each mount in them as it was.  For the spawner's
 * CLONE_VM child (exec/proc.c): system calls only, no allocation.
 * Returns 0, or a negative errno (the namespace is then half made: the
 * caller must not exec). */
int confine_enter(const char *const *rw);

/* Shows a child a target system's libraries where the host keeps its own:
 * in a mount namespace of its own, each of dirs (NULL-terminated absolute
 * real paths of existing directories) is covered, read-only, by the
 * directories of with (one: a bind mount; several: an overlay, the first
 * on top).  For a run "with the target's own libraries" (issue 23): the
 * host's multiarch directories, which a distribution's loader searches
 * after everything it was told, would otherwise lend the program this
 * machine's libraries, while on the real system they hold the target's.
 * Nothing reaches the host (the namespace is a slave of it).  Same
 * contract as confine_enter: system calls only; 0 or a negative errno. */
int confine_cover(const char *const *dirs, const char *const *with);

#endif
