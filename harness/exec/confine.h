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

#endif
