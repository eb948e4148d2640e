/* Small helpers shared by the harness: allocation that aborts on OOM (git's
 * x-wrappers), string vectors, paths and files.  File writers go through a
 * temporary name and rename(), so a reader never sees half a file. */
#ifndef GM_UTIL_H
#define GM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/err.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_push(char ***v, const char *s);      /* copies s */
void strv_push_take(char ***v, char *s);       /* takes s */
void strv_free(char **v);
bool strv_contains(char *const *v, const char *s);

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
char *str_trim(char *s); /* in place; returns s advanced past blanks */

/* Compares dotted numeric versions ("2.31" < "2.36" < "2.36.1"). */
int version_cmp(const char *a, const char *b);
/* true if s looks like "N.N" or "N.N.N" */
bool version_valid(const char *s);

char *path_join(const char *a, const char *b);
bool path_exists(const char *p);
bool path_is_dir(const char *p);
bool path_is_file(const char *p);
/* Absolute, normalised path of an existing file; NULL + err if missing. */
char *path_real(const char *p, struct gm_err **err);

int mkdir_p(const char *path, mode_t mode, struct gm_err **err);
/* Removes a tree without following symlinks; missing path is success. */
int rm_rf(const char *path, struct gm_err **err);
/* Total bytes of regular files under path (no symlinks followed). */
off_t tree_size(const char *path);

int read_file(const char *path, char **ret, size_t *ret_len, struct gm_err **err);
/* Writes via path.tmp.<pid> + fsync + rename. */
int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct gm_err **err);
/* Copies a regular file (contents and mode). */
int copy_file(const char *src, const char *dst, struct gm_err **err);

/* fsync() the directory holding path, so a rename survives a crash. */
void fsync_parent(const char *path);

/* Last n lines of a file (for build-failure reports); "" if unreadable. */
char *file_tail(const char *path, int n);

/* Hex SHA-256 (libcrypto) of a file or a buffer; out has 65 bytes. */
int sha256_file(const char *path, char out[65], struct gm_err **err);
void sha256_buf(const void *buf, size_t len, char out[65]);
/* Lower-case hex of the first n (at most 32) bytes of md, terminated. */
void hex_digest(const unsigned char *md, unsigned n, char out[65]);

/* A data directory of the project: $env if set, else <dir of the running
 * executable>/sub when it holds marker (a source tree or an install beside
 * the binary), else GM_DATADIR/sub.  The result is kept by the caller. */
char *data_dir(const char *env, const char *sub, const char *marker);


/* path made absolute against the working directory (not resolved). */
char *path_absolute(const char *path);

/* Current UTC time as RFC 3339. */
char *now_rfc3339(void);
double now_seconds(void); /* monotonic */

#endif
