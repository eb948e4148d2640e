/* Paths and files (fs.c). */
#ifndef GM_FS_H
#define GM_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

char *path_join(const char *a, const char *b);
bool path_exists(const char *p);
bool path_is_dir(const char *p);
bool path_is_file(const char *p);
/* Absolute, normalised path of an existing file; NULL + err if missing. */
char *path_real(const char *p, struct gm_err **err);
/* name itself when it has a '/', else the first executable regular file
 * name in $PATH (or /usr/bin:/bin), as a shell finds a command; NULL if
 * none (caller frees). */
char *fs_find_program(const char *name);

int mkdir_p(const char *path, mode_t mode, struct gm_err **err);
/* Removes a tree without following symlinks; missing path is success. */
int rm_rf(const char *path, struct gm_err **err);
/* Total bytes of regular files under path (no symlinks followed). */
off_t tree_size(const char *path);

/* Opens a file the user named, for reading: O_CLOEXEC, and O_NONBLOCK until
 * it is known to be a regular file, so a FIFO or a device cannot block the
 * harness in open() or read() forever.  Anything but a regular file is a
 * usage error naming its type; a missing file is a usage error too.
 * Returns the fd (blocking again), or -1 + err. */
int fs_open_input(const char *path, struct gm_err **err);
/* Whole file into *ret (NUL-terminated); regular files only (fs_open_input). */
int read_file(const char *path, char **ret, size_t *ret_len, struct gm_err **err);
/* The atomic-write policy: fs_atomic_open creates the temporary beside
 * path (mode applied) and returns its fd and name; fs_atomic_commit fsyncs
 * and closes fd (if >= 0), renames tmp to path and syncs the parent; on
 * failure it removes tmp.  write_file_atomic does both for a buffer. */
int fs_atomic_open(const char *path, mode_t mode, char **tmp, struct gm_err **err);
int fs_atomic_commit(int fd, const char *tmp, const char *path, struct gm_err **err);
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct gm_err **err);
/* Copies a regular file (contents and mode). */
int copy_file(const char *src, const char *dst, struct gm_err **err);

/* fsync() the directory holding path, so a rename survives a crash. */
void fsync_parent(const char *path);

/* Last n lines of a file (for build-failure reports); "" if unreadable. */
char *file_tail(const char *path, int n);

/* path made absolute against the working directory (not resolved). */
char *path_absolute(const char *path);

#endif
