/* Archive extraction with libarchive: source tarballs, Debian packages and
 * the layers of container images.
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

/* Container images (acquire/image.c reads their manifests). */

/* Unpacks an image archive (oci-archive, docker-archive: a tar of blobs and
 * JSON files) into destdir: its regular files only (links are skipped,
 * never made), refusing (GM_EXIT_USAGE, naming the entry) any other entry
 * that is not a directory, any entry whose name has a component other than
 * [A-Za-z0-9._:+-] or is deeper than three components, appears twice, or
 * brings the total past max_bytes. */
int archive_unpack_image(const char *path, const char *destdir, long long max_bytes,
			 struct gm_err **err);

/* What the layers of one image may add up to; counted across calls. */
struct archive_limits {
	long long max_entries, max_bytes;
	long long entries, bytes;
};

/* Applies one layer (a tar, compressed or not) to the tree at root as the
 * OCI image specification says: its whiteouts first (.wh.NAME removes NAME,
 * .wh..wh..opq empties its directory of what lower layers put there), then
 * its other entries, owners and modes kept, device nodes dropped.  Refused
 * with GM_EXIT_USAGE naming what and the entry: a ".." component in a name
 * or a hard link's target, an entry or whiteout whose parent in the tree
 * is a symbolic link, the limits passed.  Leading "/" are dropped: every
 * entry is re-rooted at root. */
int archive_apply_layer(const char *path, const char *root, const char *what,
			struct archive_limits *lim, struct gm_err **err);

#endif
