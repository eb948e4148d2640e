/* What archive.c shares with layers.c (container image layers): the
 * libarchive functions, resolved on first use (base/lazylib.h), and the
 * helpers both extract with.  Not for other modules: they use archive.h. */
#ifndef GM_ARCHIVE_INT_H
#define GM_ARCHIVE_INT_H

#include <archive.h>
#include <archive_entry.h>

#include "base/err.h"

/* Resolved on first use (lazylib.h). */
#define LA_FUNCS(X) \
	X(archive_entry_filetype) \
	X(archive_entry_hardlink) \
	X(archive_entry_pathname) \
	X(archive_entry_set_hardlink) \
	X(archive_entry_set_pathname) \
	X(archive_entry_perm) \
	X(archive_entry_set_perm) \
	X(archive_entry_size) \
	X(archive_errno) \
	X(archive_error_string) \
	X(archive_read_data) \
	X(archive_read_data_block) \
	X(archive_read_free) \
	X(archive_read_new) \
	X(archive_read_next_header) \
	X(archive_read_open) \
	X(archive_read_open_filename) \
	X(archive_read_open_memory) \
	X(archive_read_support_filter_all) \
	X(archive_read_support_format_ar) \
	X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) \
	X(archive_read_support_format_tar) \
	X(archive_set_error) \
	X(archive_write_close) \
	X(archive_write_data_block) \
	X(archive_write_disk_new) \
	X(archive_write_disk_set_options) \
	X(archive_write_disk_set_standard_lookup) \
	X(archive_write_finish_entry) \
	X(archive_write_free) \
	X(archive_write_header)

struct la_table {
#define FIELD(f) __typeof__(&f) f;
	LA_FUNCS(FIELD)
#undef FIELD
};
extern struct la_table la;

/* Resolves la (libarchive is opened on first use). */
int la_load(struct gm_err **err);
/* libarchive's message for a reader's last error.  It may have none (a
 * stream that simply ends early): then the cause is a short file. */
const char *la_reason(struct archive *a);
/* Times and modes kept; "..", symbolic links on the way and what they
 * would overwrite refused. */
extern const int archive_extract_flags;
/* Writes the entry e (its path already re-rooted) and its data from in to
 * out; messages name the archive (what) and the entry's own name. */
int archive_write_entry(struct archive *in, struct archive *out, struct archive_entry *e,
			const char *what, const char *name, struct gm_err **err);
/* A reader of a (compressed) tar at path; NULL + err (code, naming path
 * with prefix) when it cannot be opened. */
struct archive *archive_tar_open(const char *path, int code, const char *prefix,
				 struct gm_err **err);

#endif
