/* The host files glibc-inject puts into a container: a glibc set
 * (--glibc-libs, GLIBC_LIBS) or other libraries (--lib).
 *
 * Each file is opened before the hook enters the container's mount
 * namespace, as detached bind mounts (open_tree(OPEN_TREE_CLONE)): the
 * container's namespace cannot reach the host's paths, and what is read
 * (through /proc/self/fd, the very mount) is exactly what will be mounted,
 * whatever happens to the path meanwhile.  The mounts are read-only,
 * nosuid and nodev where the kernel allows mount_setattr. */
#ifndef GM_HOSTSET_H
#define GM_HOSTSET_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arch.h"
#include "base/err.h"

#define HOST_FILE_TREES 2 /* the loader goes to two places at most */

struct host_file {
	char *path;        /* as named */
	char *soname;      /* DT_SONAME; --lib files without one: the file's name */
	char *floor;       /* newest GLIBC_x.y node it requires, or NULL */
	int trees[HOST_FILE_TREES]; /* detached mounts of the file; -1 once taken */
	size_t n_trees;
};

struct host_set {
	struct host_file *files;
	size_t n;
	const struct gm_arch *arch; /* of the files; NULL for an empty set */
	/* glibc sets only: */
	char *version;     /* libc.so.6's version (glibc_libc_version), else the set's newest node */
	struct host_file *loader, *libc; /* NULL when the set has none (--partial) */
};

/* Opens every path of paths (NULL-terminated, may be NULL or empty).
 * glibc: the files must be glibc's own libraries, one a soname, and,
 * unless partial, include the loader and libc.so.6; otherwise they must
 * not be glibc's.  All must be absolute paths of ELF shared objects of one
 * machine in the arch table.  0 or -1 + err naming the file and the rule. */
int host_set_open(char *const *paths, bool glibc, bool partial, struct host_set *ret,
		  struct gm_err **err);
void host_set_release(struct host_set *s);

/* Hands one detached mount of f to the caller, or -1 when none is left. */
int host_file_take_tree(struct host_file *f);

#endif
