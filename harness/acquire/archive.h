/* Archive extraction with libarchive: source tarballs, Debian packages and
 * the layers of container images.
 * No shelling out to tar or ar.  Entries that would land outside destdir
 * (absolute paths, "..", symlinks followed on the way) are refused. */
#ifndef GM_ARCHIVE_H
#define GM_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Extracts a (compressed) tarball into destdir, dropping the first strip
 * path components of every entry (tar --strip-components). */
int archive_extract_tarball(const char *path, const char *destdir, int strip,
			    struct gm_err **err);

/* Extracts the data.tar.* member of a .deb into destdir.  Absolute symlink
 * targets are kept as they are; callers rewrite them. */
int archive_extract_deb(const char *path, const char *destdir, struct gm_err **err);

/* A user's package is hostile until proven otherwise: what unpacking one
 * may cost.  Over a bound the package is refused. */
struct archive_bounds {
	size_t max_entries;            /* entries of any kind */
	unsigned long long max_bytes;  /* bytes the files span, all together */
};
/* The bounds of `check PKG` (README: whole packages): an npm package or a
 * .deb is far below them (the largest .deb of Debian's main archive
 * unpacks to about 2 GiB in about 20000 files). */
#define ARCHIVE_PACKAGE_MAX_ENTRIES ((size_t)200000)
#define ARCHIVE_PACKAGE_MAX_BYTES (8ULL << 30)
/* A .deb's control file, read into memory. */
#define ARCHIVE_CONTROL_MAX (1 << 20)

/* Unpacks a user's package into destdir: a .deb's data.tar.* (deb, and its
 * control file into *ret_control when not NULL: NULL when it has none),
 * or a (compressed) tarball, its names kept.  Held to b; entries whose
 * names or hard-link targets hold "..", and any that libarchive finds would
 * land outside destdir (through a symlink) are refused, as is anything
 * corrupt or truncated: GM_EXIT_USAGE naming the file and the cause (the
 * input is at fault), GM_EXIT_INFRA when this machine is (a disk full).
 * Devices, FIFOs and sockets are passed over; set-id bits dropped.
 * Symlinks are written as they are (absolute ones point outside destdir:
 * callers rewrite them, rootpath_fix_symlinks). */
int archive_extract_untrusted(const char *path, bool deb, const char *destdir,
			      const struct archive_bounds *b, char **ret_control,
			      struct gm_err **err);

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
