/* Archive extraction with libarchive: source tarballs and Debian packages.
 * No shelling out to tar or ar.  Entries that would land outside destdir
 * (absolute paths, "..", symlinks followed on the way) are refused. */
#ifndef GM_ARCHIVE_H
#define GM_ARCHIVE_H

#include <stddef.h>

#include "base/err.h"

/* Extracts a (compressed) tarball into destdir, dropping the first strip
 * path components of every entry (tar --strip-components). */
int archive_extract_tarball(const char *path, const char *destdir, int strip,
			    struct gm_err **err);

/* Extracts the data.tar.* member of a .deb into destdir.  Absolute symlink
 * targets are kept as they are; callers rewrite them. */
int archive_extract_deb(const char *path, const char *destdir, struct gm_err **err);

/* Decompresses a compressed file held in memory (xz, gz, ...) into memory;
 * at most max bytes. */
int archive_decompress_mem(const void *data, size_t len, size_t max, char **ret,
			   size_t *ret_len, struct gm_err **err);

/* Decompresses the file at path (xz, gz, ... or plain) as a stream and
 * calls line() for each line, without its newline, NUL-terminated (a line
 * longer than 64 KiB is cut there): a 170 MB Contents index never sits in
 * memory.  At most max decompressed bytes.  line() returning < 0 stops
 * with its *err. */
int archive_each_line(const char *path, size_t max,
		      int (*line)(void *ctx, char *text, size_t len, struct gm_err **err),
		      void *ctx, struct gm_err **err);

#endif
