#define _GNU_SOURCE
#include "acquire/archive.h"
#include "acquire/archive-int.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "base/lazylib.h"
#include "base/fs.h"
#include "base/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The table of libarchive's functions (archive-int.h), resolved on first use. */
struct la_table la;

static const char *const la_names[] = {
#define NAME(f) #f,
	LA_FUNCS(NAME)
#undef NAME
};

int la_load(struct gm_err **err)
{
	return lazylib_load(GM_LIBARCHIVE_SONAME, la_names, (void **)&la,
			    sizeof(la_names) / sizeof(la_names[0]), err);
}

/* libarchive's message for a reader's last error.  It may have none (a
 * stream that simply ends early): then the cause is a short file. */
const char *la_reason(struct archive *a)
{
	const char *s = la.archive_error_string(a);
	return s && *s ? s : "truncated or corrupt";
}

const int archive_extract_flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
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

/* Writes the entry e (its path already re-rooted) and its data from in to
 * out; messages name the archive (what) and the entry's own name. */
int archive_write_entry(struct archive *in, struct archive *out, struct archive_entry *e,
		       const char *what, const char *name, struct gm_err **err)
{
	int rc = la.archive_write_header(out, e);
	if (rc < ARCHIVE_WARN)
		return gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
				"'%s': cannot extract '%s': %s", what, name, la_reason(out));
	if (la.archive_entry_size(e) > 0) {
		const void *buf;
		size_t size;
		la_int64_t off;
		while ((rc = la.archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
			if (la.archive_write_data_block(out, buf, size, off) < ARCHIVE_OK)
				return gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
						"'%s': cannot write '%s': %s", what, name, la_reason(out));
		if (rc < ARCHIVE_WARN)
			return gm_infra(err, 0, "'%s': %s", what, la_reason(in));
	}
	if (la.archive_write_finish_entry(out) < ARCHIVE_WARN)
		return gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
				"'%s': cannot finish '%s': %s", what, name, la_reason(out));
	return 0;
}

/* Copies every entry of an open reader into destdir. */

/* The error for what went wrong with an archive: the input's fault (a
 * corrupt, escaping or oversized package: GM_EXIT_USAGE) when it is a
 * user's package (b set), unless a system call failed for this machine's
 * reasons (GM_EXIT_INFRA: a disk full; and any fault of an archive we
 * fetched ourselves). */
static int archive_fail(struct gm_err **err, const struct archive_bounds *b, int sys_errno,
			const char *fmt, const char *what, const char *name, const char *why)
{
	/* A package's own structure fails calls too (a hard link to an entry
	 * it never had: ENOENT); these are the machine's. */
	bool machine = sys_errno == ENOSPC || sys_errno == EDQUOT || sys_errno == EIO ||
		       sys_errno == EROFS || sys_errno == ENOMEM || sys_errno == EMFILE ||
		       sys_errno == ENFILE || sys_errno == EACCES || sys_errno == EPERM;
	int code = b && !machine ? GM_EXIT_USAGE : GM_EXIT_INFRA;
	if (name)
		return gm_err_set(err, code, sys_errno > 0 ? sys_errno : 0, fmt, what, name, why);
	return gm_err_set(err, code, sys_errno > 0 ? sys_errno : 0, fmt, what, why);
}

/* A ".." component: refused in a package's names and link targets before
 * libarchive sees them (it refuses them too: ARCHIVE_EXTRACT_SECURE_NODOTDOT). */
static bool has_dotdot(const char *p)
{
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

/* What a package may hold: regular files, directories, symbolic and hard
 * links.  Devices, FIFOs and sockets are passed over (no ELF file is one);
 * set-id and sticky bits are dropped, the owner may always read and write
 * (the tree is removed by us, as whoever we are). */
static bool untrusted_entry(struct archive_entry *e)
{
	unsigned t = la.archive_entry_filetype(e);
	if (!la.archive_entry_hardlink(e) && t != AE_IFREG && t != AE_IFDIR && t != AE_IFLNK)
		return false;
	unsigned perm = (unsigned)la.archive_entry_perm(e) & 0755;
	la.archive_entry_set_perm(e, perm | (t == AE_IFDIR ? 0700 : 0600));
	return true;
}

/* Copies the current entry's data; *written grows by the bytes it spans
 * (a sparse entry's holes count: a bound on the disk it may take). */
static int copy_data(struct archive *in, struct archive *out, const char *what, const char *name,
		     const struct archive_bounds *b, unsigned long long *written,
		     struct gm_err **err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	unsigned long long end = 0;
	int rc;
	while ((rc = la.archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK) {
		if (off < 0)
			return archive_fail(err, b, 0, "'%s': corrupt entry '%s': %s", what, name,
					    "negative offset");
		if ((unsigned long long)off + size > end)
			end = (unsigned long long)off + size;
		if (b && *written + end > b->max_bytes)
			return gm_usage(err, "'%s': more than %llu bytes unpacked (at '%s'): "
					     "refused, the bound of a package", what, b->max_bytes, name);
		if (la.archive_write_data_block(out, buf, size, off) < ARCHIVE_OK)
			return gm_infra(err, la.archive_errno(out) > 0 ? la.archive_errno(out) : 0,
					"'%s': cannot write '%s': %s", what, name, la_reason(out));
	}
	*written += end;
	if (rc < ARCHIVE_WARN)
		return archive_fail(err, b, 0, "'%s': %s", what, NULL, la_reason(in));
	return 0;
}

/* Re-roots the current entry at destdir: 0, 1 when it has nothing left
 * after strip (passed over), -1 + err for a package's escaping entry. */
static int reroot(struct archive_entry *e, const char *what, const char *destdir, int strip,
		  const struct archive_bounds *b, char **ret_name, struct gm_err **err)
{
	const char *stripped = strip_path(la.archive_entry_pathname(e), strip);
	const char *hl = la.archive_entry_hardlink(e);
	const char *hs = hl ? strip_path(hl, strip) : NULL;
	if (!stripped || (hl && !hs))
		return 1;
	if (b && (has_dotdot(stripped) || (hs && has_dotdot(hs))))
		return gm_usage(err, "'%s': entry '%s'%s%s escapes the directory: refused", what,
				stripped, hs ? " linked to " : "", hs ? hs : "");
	/* The entry's own string is replaced below; keep a copy for messages. */
	*ret_name = xstrdup(stripped);
	cleanup_free char *dest = path_join(destdir, stripped);
	la.archive_entry_set_pathname(e, dest);
	/* Hard links inside the archive name other entries: re-root them too. */
	if (hs) {
		cleanup_free char *hdest = path_join(destdir, hs);
		la.archive_entry_set_hardlink(e, hdest);
	}
	return 0;
}

/* Copies every entry of an open reader into destdir; b: a user's package,
 * held to its bounds (NULL: an archive we fetched and verified). */
static int copy_entries(struct archive *in, const char *what, const char *destdir, int strip,
			const struct archive_bounds *b, struct gm_err **err)
{
	struct archive *out = la.archive_write_disk_new();
	struct archive_entry *e;
	unsigned long long written = 0;
	size_t entries = 0;
	int r = 0;

	la.archive_write_disk_set_options(out, archive_extract_flags);
	la.archive_write_disk_set_standard_lookup(out);
	for (;;) {
		int rc = la.archive_read_next_header(in, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			r = archive_fail(err, b, 0, "'%s': %s", what, NULL, la_reason(in));
			break;
		}
		if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "extraction of '%s' interrupted", what);
			break;
		}
		if (b && ++entries > b->max_entries) {
			r = gm_usage(err, "'%s': more than %zu entries: refused, the bound of a package",
				     what, b->max_entries);
			break;
		}
		if (b && !untrusted_entry(e))
			continue;
		cleanup_free char *name = NULL;
		int rr = reroot(e, what, destdir, strip, b, &name, err);
		if (rr < 0) {
			r = -1;
			break;
		}
		if (rr > 0)
			continue;
		rc = la.archive_write_header(out, e);
		if (rc < ARCHIVE_WARN) {
			r = archive_fail(err, b, la.archive_errno(out), "'%s': cannot extract '%s': %s",
					 what, name, la_reason(out));
			break;
		}
		/* The size an entry declares counts whole: a sparse entry's
		 * holes are not data blocks, yet its file takes that size. */
		unsigned long long declared = la.archive_entry_size(e) > 0
						      ? (unsigned long long)la.archive_entry_size(e) : 0;
		if (b && written + declared > b->max_bytes) {
			r = gm_usage(err, "'%s': more than %llu bytes unpacked (at '%s', %llu bytes): "
					  "refused, the bound of a package", what, b->max_bytes, name,
				     declared);
			break;
		}
		unsigned long long before = written;
		if (declared > 0 && (r = copy_data(in, out, what, name, b, &written, err)) < 0)
			break;
		if (written - before < declared)
			written = before + declared;
		if (la.archive_write_finish_entry(out) < ARCHIVE_WARN) {
			r = archive_fail(err, b, la.archive_errno(out), "'%s': cannot finish '%s': %s",
					 what, name, la_reason(out));
			break;
		}
	}
	if (la.archive_write_close(out) < ARCHIVE_WARN && r == 0)
		r = gm_infra(err, 0, "'%s': %s", what, la_reason(out));
	la.archive_write_free(out);
	return r;
}

static struct archive *tar_reader(void)
{
	struct archive *in = la.archive_read_new();
	la.archive_read_support_filter_all(in);
	la.archive_read_support_format_tar(in);
	la.archive_read_support_format_gnutar(in);
	return in;
}

/* A reader of a (compressed) tar at path; NULL + err (code, naming path
 * with prefix) when it cannot be opened. */
struct archive *archive_tar_open(const char *path, int code, const char *prefix,
				struct gm_err **err)
{
	if (la_load(err) < 0)
		return NULL;
	struct archive *in = tar_reader();
	if (la.archive_read_open_filename(in, path, 1 << 16) != ARCHIVE_OK) {
		gm_err_set(err, code, 0, "%s'%s': %s", prefix, path, la_reason(in));
		la.archive_read_free(in);
		return NULL;
	}
	return in;
}

static int extract_tar(const char *path, const char *destdir, int strip,
		       const struct archive_bounds *b, struct gm_err **err)
{
	if (la_load(err) < 0)
		return -1;
	struct archive *in = tar_reader();
	if (la.archive_read_open_filename(in, path, 1 << 16) != ARCHIVE_OK) {
		int r = gm_err_set(err, errno == ENOENT || b ? GM_EXIT_USAGE : GM_EXIT_INFRA, 0,
				   "cannot open archive '%s': %s", path, la_reason(in));
		la.archive_read_free(in);
		return r;
	}
	int r = copy_entries(in, path, destdir, strip, b, err);
	la.archive_read_free(in);
	return r;
}

int archive_extract_tarball(const char *path, const char *destdir, int strip,
			    struct gm_err **err)
{
	return extract_tar(path, destdir, strip, NULL, err);
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

/* The "control" file of a .deb's control.tar member, read through in (at
 * most ARCHIVE_CONTROL_MAX bytes): 0 and *ret (NULL when the member has
 * none), or -1 + err. */
static int read_control(struct archive *in, const char *what, char **ret, struct gm_err **err)
{
	struct archive_entry *e;
	int rc;
	*ret = NULL;
	while ((rc = la.archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *n = strip_path(la.archive_entry_pathname(e), 0);
		if (!n || (strcmp(n, "control") && strcmp(n, "./control")))
			continue;
		if (la.archive_entry_size(e) > ARCHIVE_CONTROL_MAX)
			return gm_usage(err, "'%s': control file larger than %d bytes: refused", what,
					ARCHIVE_CONTROL_MAX);
		char *buf = xcalloc(1, ARCHIVE_CONTROL_MAX + 1);
		size_t len = 0;
		la_ssize_t got;
		while (len < ARCHIVE_CONTROL_MAX &&
		       (got = la.archive_read_data(in, buf + len, ARCHIVE_CONTROL_MAX - len)) > 0)
			len += (size_t)got;
		if (len < ARCHIVE_CONTROL_MAX && got < 0) {
			free(buf);
			return gm_usage(err, "'%s': %s", what, la_reason(in));
		}
		*ret = buf;
		return 0;
	}
	if (rc < ARCHIVE_WARN)
		return gm_usage(err, "'%s': %s", what, la_reason(in));
	return 0;
}

/* One member of a .deb: data.tar.* extracted into destdir, or the control
 * file of control.tar.* into *control (when asked for). */
static int deb_member(struct archive *ar, const char *path, const char *name, const char *destdir,
		      const struct archive_bounds *b, char **control, struct gm_err **err)
{
	struct archive *in = tar_reader();
	cleanup_free struct member *m = xcalloc(1, sizeof(*m));
	cleanup_free char *what = xasprintf("%s(%s)", path, name);
	int r;
	m->outer = ar;
	if (la.archive_read_open(in, m, NULL, member_read, NULL) != ARCHIVE_OK)
		r = archive_fail(err, b, 0, "'%s': cannot read member %s: %s", path, name,
				 la_reason(in));
	else if (str_starts(name, "data.tar"))
		r = copy_entries(in, what, destdir, 0, b, err);
	else
		r = read_control(in, what, control, err);
	la.archive_read_free(in);
	return r;
}

static int extract_deb(const char *path, const char *destdir, const struct archive_bounds *b,
		       char **control, struct gm_err **err)
{
	struct archive_entry *e;
	int r = -1, found = 0;

	if (la_load(err) < 0)
		return -1;
	struct archive *ar = la.archive_read_new();
	la.archive_read_support_format_ar(ar);
	if (la.archive_read_open_filename(ar, path, 1 << 16) != ARCHIVE_OK) {
		r = archive_fail(err, b, 0, "cannot open package '%s': %s", path, NULL, la_reason(ar));
		la.archive_read_free(ar);
		return r;
	}
	int rc;
	while ((rc = la.archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *name = la.archive_entry_pathname(e);
		/* dpkg writes control.tar before data.tar: one pass reads both. */
		if (control && !*control && str_starts(name, "control.tar") &&
		    deb_member(ar, path, name, destdir, b, control, err) < 0)
			break;
		if (!str_starts(name, "data.tar"))
			continue;
		found = 1;
		r = deb_member(ar, path, name, destdir, b, control, err);
		break;
	}
	if (!found && err && *err)
		r = -1;
	else if (!found && rc < ARCHIVE_WARN)
		r = archive_fail(err, b, 0, "cannot read package '%s': %s", path, NULL, la_reason(ar));
	else if (!found)
		r = archive_fail(err, b, 0, "'%s' is not a Debian package, or is truncated (%s)", path,
				 NULL, "no data.tar member");
	la.archive_read_free(ar);
	return r;
}

int archive_extract_deb(const char *path, const char *destdir, struct gm_err **err)
{
	return extract_deb(path, destdir, NULL, NULL, err);
}

int archive_extract_untrusted(const char *path, bool deb, const char *destdir,
			      const struct archive_bounds *b, char **ret_control,
			      struct gm_err **err)
{
	if (ret_control)
		*ret_control = NULL;
	int r = deb ? extract_deb(path, destdir, b, ret_control, err)
		    : extract_tar(path, destdir, 0, b, err);
	if (r < 0 && ret_control) {
		free(*ret_control);
		*ret_control = NULL;
	}
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
