#define _GNU_SOURCE
#include "acquire/archive.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "base/lazylib.h"
#include "base/fs.h"
#include "base/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

/* Resolved on first use (lazylib.h). */
#define LA_FUNCS(X) \
	X(archive_entry_hardlink) \
	X(archive_entry_pathname) \
	X(archive_entry_set_hardlink) \
	X(archive_entry_set_pathname) \
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
static struct {
#define FIELD(f) __typeof__(&f) f;
	LA_FUNCS(FIELD)
#undef FIELD
} la;
static const char *const la_names[] = {
#define NAME(f) #f,
	LA_FUNCS(NAME)
#undef NAME
};

static int la_load(struct gm_err **err)
{
	return lazylib_load(GM_LIBARCHIVE_SONAME, la_names, (void **)&la,
			    sizeof(la_names) / sizeof(la_names[0]), err);
}

/* libarchive's message for a reader's last error.  It may have none (a
 * stream that simply ends early): then the cause is a short file. */
static const char *la_reason(struct archive *a)
{
	const char *s = la.archive_error_string(a);
	return s && *s ? s : "truncated or corrupt";
}

static const int extract_flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
				 ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				 ARCHIVE_EXTRACT_UNLINK;

/* Drops the first strip components of name; NULL if nothing is left.
 * Leading slashes are dropped too: entries are always re-rooted at destdir
 * (the joined, absolute path is why ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS
 * cannot be used; SECURE_NODOTDOT and SECURE_SYMLINKS still apply). */
static const char *strip_path(const char *name, int strip)
{
	while (*name == '/')
		name++;
	while (strip-- > 0) {
		const char *slash = strchr(name, '/');
		if (!slash)
			return NULL;
		name = slash + 1;
		while (*name == '/')
			name++;
	}
	return *name ? name : NULL;
}

/* Copies every entry of an open reader into destdir. */
static int copy_entries(struct archive *in, const char *what, const char *destdir, int strip,
			struct gm_err **err)
{
	struct archive *out = la.archive_write_disk_new();
	struct archive_entry *e;
	int r = 0;

	la.archive_write_disk_set_options(out, extract_flags);
	la.archive_write_disk_set_standard_lookup(out);
	for (;;) {
		int rc = la.archive_read_next_header(in, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			r = gm_infra(err, 0, "'%s': %s", what, la_reason(in));
			break;
		}
		if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "extraction of '%s' interrupted", what);
			break;
		}
		const char *stripped = strip_path(la.archive_entry_pathname(e), strip);
		if (!stripped)
			continue;
		/* The entry's own string is replaced below; keep a copy for messages. */
		cleanup_free char *name = xstrdup(stripped);
		cleanup_free char *dest = path_join(destdir, name);
		la.archive_entry_set_pathname(e, dest);
		/* Hard links inside the archive name other entries: re-root them too. */
		const char *hl = la.archive_entry_hardlink(e);
		if (hl) {
			const char *hs = strip_path(hl, strip);
			if (!hs)
				continue;
			cleanup_free char *hdest = path_join(destdir, hs);
			la.archive_entry_set_hardlink(e, hdest);
		}
		rc = la.archive_write_header(out, e);
		if (rc < ARCHIVE_WARN) {
			r = gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
				     "'%s': cannot extract '%s': %s", what, name,
				     la_reason(out));
			break;
		}
		if (la.archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((rc = la.archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
				if (la.archive_write_data_block(out, buf, size, off) < ARCHIVE_OK) {
					rc = ARCHIVE_FATAL;
					r = gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
						     "'%s': cannot write '%s': %s", what, name,
						     la_reason(out));
					break;
				}
			}
			if (r < 0)
				break;
			if (rc < ARCHIVE_WARN) {
				r = gm_infra(err, 0, "'%s': %s", what, la_reason(in));
				break;
			}
		}
		if (la.archive_write_finish_entry(out) < ARCHIVE_WARN) {
			r = gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
				     "'%s': cannot finish '%s': %s", what, name, la_reason(out));
			break;
		}
	}
	if (la.archive_write_close(out) < ARCHIVE_WARN && r == 0)
		r = gm_infra(err, 0, "'%s': %s", what, la_reason(out));
	la.archive_write_free(out);
	return r;
}

int archive_extract_tarball(const char *path, const char *destdir, int strip,
			    struct gm_err **err)
{
	if (la_load(err) < 0)
		return -1;
	struct archive *in = la.archive_read_new();
	la.archive_read_support_filter_all(in);
	la.archive_read_support_format_tar(in);
	la.archive_read_support_format_gnutar(in);
	if (la.archive_read_open_filename(in, path, 1 << 16) != ARCHIVE_OK) {
		int r = gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, 0,
				   "cannot open archive '%s': %s", path, la_reason(in));
		la.archive_read_free(in);
		return r;
	}
	int r = copy_entries(in, path, destdir, strip, err);
	la.archive_read_free(in);
	return r;
}

/* The current member of the outer (ar) archive, read by an inner reader;
 * the block is per extraction, since imports may run in several threads. */
struct member {
	struct archive *outer;
	char block[1 << 16];
};

static la_ssize_t member_read(struct archive *inner, void *p, const void **buf)
{
	struct member *m = p;
	la_ssize_t n = la.archive_read_data(m->outer, m->block, sizeof(m->block));
	*buf = m->block;
	/* The outer reader knows why (a short .deb); the inner one would
	 * otherwise report a failed read with no message. */
	if (n < 0)
		la.archive_set_error(inner, la.archive_errno(m->outer) > 0 ? la.archive_errno(m->outer) : -1,
				     "%s", la_reason(m->outer));
	return n;
}

int archive_extract_deb(const char *path, const char *destdir, struct gm_err **err)
{
	struct archive_entry *e;
	int r = -1, found = 0;

	if (la_load(err) < 0)
		return -1;
	struct archive *ar = la.archive_read_new();
	la.archive_read_support_format_ar(ar);
	if (la.archive_read_open_filename(ar, path, 1 << 16) != ARCHIVE_OK) {
		r = gm_infra(err, 0, "cannot open package '%s': %s", path, la_reason(ar));
		la.archive_read_free(ar);
		return r;
	}
	int rc;
	while ((rc = la.archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *name = la.archive_entry_pathname(e);
		if (!str_starts(name, "data.tar"))
			continue;
		found = 1;
		struct archive *in = la.archive_read_new();
		la.archive_read_support_filter_all(in);
		la.archive_read_support_format_tar(in);
		la.archive_read_support_format_gnutar(in);
		cleanup_free struct member *m = xcalloc(1, sizeof(*m));
		m->outer = ar;
		if (la.archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK) {
			r = gm_infra(err, 0, "'%s': cannot read member %s: %s", path, name,
				     la_reason(in));
		} else {
			cleanup_free char *what = xasprintf("%s(%s)", path, name);
			r = copy_entries(in, what, destdir, 0, err);
		}
		la.archive_read_free(in);
		break;
	}
	if (!found && rc < ARCHIVE_WARN)
		r = gm_infra(err, 0, "cannot read package '%s': %s", path, la_reason(ar));
	else if (!found)
		r = gm_infra(err, 0, "'%s' is not a Debian package, or is truncated (no data.tar member)",
			     path);
	la.archive_read_free(ar);
	return r;
}

/* A reader of one compressed (or plain) stream, not an archive format. */
static struct archive *raw_reader(struct gm_err **err)
{
	if (la_load(err) < 0)
		return NULL;
	struct archive *in = la.archive_read_new();
	la.archive_read_support_filter_all(in);
	la.archive_read_support_format_raw(in);
	return in;
}

int archive_decompress_mem(const void *data, size_t len, size_t max, char **ret,
			   size_t *ret_len, struct gm_err **err)
{
	struct archive_entry *e;
	char *buf = NULL;
	size_t n = 0;
	int r = 0;

	struct archive *in = raw_reader(err);
	if (!in)
		return -1;
	if (la.archive_read_open_memory(in, data, len) != ARCHIVE_OK ||
	    la.archive_read_next_header(in, &e) != ARCHIVE_OK) {
		r = gm_infra(err, 0, "cannot decompress: %s", la_reason(in));
		la.archive_read_free(in);
		return r;
	}
	for (;;) {
		buf = xrealloc(buf, n + 65536 + 1);
		la_ssize_t got = la.archive_read_data(in, buf + n, 65536);
		if (got < 0) {
			r = gm_infra(err, 0, "cannot decompress: %s", la_reason(in));
			break;
		}
		if (got == 0)
			break;
		n += got;
		if (n > max) {
			r = gm_infra(err, 0, "decompressed data larger than %zu bytes", max);
			break;
		}
	}
	la.archive_read_free(in);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = n;
	return 0;
}

/* Feeds the complete lines of buf[0..*n) to line() and keeps the rest at
 * the front; a line that fills the whole buffer is passed on cut. */
static int flush_lines(char *buf, size_t *n, bool all, size_t cap,
		       int (*line)(void *, char *, size_t, struct gm_err **), void *ctx,
		       struct gm_err **err)
{
	size_t start = 0;
	for (size_t i = 0; i < *n; i++) {
		if (buf[i] != '\n')
			continue;
		buf[i] = '\0';
		if (line(ctx, buf + start, i - start, err) < 0)
			return -1;
		start = i + 1;
	}
	if ((all || (start == 0 && *n == cap)) && start < *n) {
		buf[*n] = '\0';
		if (line(ctx, buf + start, *n - start, err) < 0)
			return -1;
		start = *n;
	}
	memmove(buf, buf + start, *n - start);
	*n -= start;
	return 0;
}

int archive_each_line(const char *path, size_t max,
		      int (*line)(void *ctx, char *text, size_t len, struct gm_err **err),
		      void *ctx, struct gm_err **err)
{
	enum { CAP = 64 * 1024 };
	struct archive_entry *e;
	size_t n = 0, total = 0;
	int r = 0;

	struct archive *in = raw_reader(err);
	if (!in)
		return -1;
	if (la.archive_read_open_filename(in, path, 65536) != ARCHIVE_OK ||
	    la.archive_read_next_header(in, &e) != ARCHIVE_OK) {
		r = gm_usage(err, "%s: cannot decompress: %s", path, la_reason(in));
		la.archive_read_free(in);
		return r;
	}
	cleanup_free char *buf = xmalloc(CAP + 1);
	for (;;) {
		la_ssize_t got = la.archive_read_data(in, buf + n, CAP - n);
		if (got < 0) {
			r = gm_usage(err, "%s: cannot decompress: %s", path, la_reason(in));
			break;
		}
		total += (size_t)got;
		if (total > max) {
			r = gm_usage(err, "%s: more than %zu bytes decompressed", path, max);
			break;
		}
		n += (size_t)got;
		if ((r = flush_lines(buf, &n, got == 0, CAP, line, ctx, err)) < 0 || got == 0)
			break;
		if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted");
			break;
		}
	}
	la.archive_read_free(in);
	return r;
}
