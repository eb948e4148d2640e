#define _GNU_SOURCE
#include "acquire/archive.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "base/lazylib.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Resolved on first use (lazylib.h). */
#define LA_FUNCS(X) \
	X(archive_entry_filetype) \
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

/* Writes the entry e (its path already re-rooted) and its data from in to
 * out; messages name the archive (what) and the entry's own name. */
static int write_entry(struct archive *in, struct archive *out, struct archive_entry *e,
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
		if ((r = write_entry(in, out, e, what, name, err)) < 0)
			break;
	}
	if (la.archive_write_close(out) < ARCHIVE_WARN && r == 0)
		r = gm_infra(err, 0, "'%s': %s", what, la_reason(out));
	la.archive_write_free(out);
	return r;
}

/* A reader of a (compressed) tar at path; NULL + err (code, naming path
 * with prefix) when it cannot be opened. */
static struct archive *tar_open(const char *path, int code, const char *prefix,
				struct gm_err **err)
{
	struct archive *in = la.archive_read_new();
	la.archive_read_support_filter_all(in);
	la.archive_read_support_format_tar(in);
	la.archive_read_support_format_gnutar(in);
	if (la.archive_read_open_filename(in, path, 1 << 16) != ARCHIVE_OK) {
		gm_err_set(err, code, 0, "%s'%s': %s", prefix, path, la_reason(in));
		la.archive_read_free(in);
		return NULL;
	}
	return in;
}

int archive_extract_tarball(const char *path, const char *destdir, int strip,
			    struct gm_err **err)
{
	if (la_load(err) < 0)
		return -1;
	struct archive *in = tar_open(path, path_exists(path) ? GM_EXIT_INFRA : GM_EXIT_USAGE,
				      "cannot open archive ", err);
	if (!in)
		return -1;
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

/* ---- Container images: their outer archives and their layers ---- */

/* name with leading "/" and "./" and inner "." components dropped, into
 * out; 1 if nothing is left (the tree's own root), -1 if a component is
 * "..". */
static int clean_name(const char *name, struct strbuf *out)
{
	strbuf_reset(out);
	cleanup_strv char **parts = strv_split(name, "/");
	for (size_t i = 0; parts[i]; i++) {
		if (!*parts[i] || strcmp(parts[i], ".") == 0)
			continue;
		if (strcmp(parts[i], "..") == 0)
			return -1;
		strbuf_addf(out, "%s%s", out->len ? "/" : "", parts[i]);
	}
	return out->len ? 0 : 1;
}

/* A name component an image archive's own files may have (blobs named by
 * digest, manifest.json, <hex>/layer.tar): anything else is refused. */
static bool plain_component(const char *c)
{
	if (!*c || strcmp(c, ".") == 0 || strcmp(c, "..") == 0 || strlen(c) > 255)
		return false;
	for (; *c; c++)
		if (!(isalnum((unsigned char)*c) || strchr("._:-+", *c)))
			return false;
	return true;
}

int archive_unpack_image(const char *path, const char *destdir, long long max_bytes,
			 struct gm_err **err)
{
	if (la_load(err) < 0)
		return -1;
	struct archive *in = tar_open(path, GM_EXIT_USAGE, "cannot open image archive ", err);
	if (!in)
		return -1;
	struct archive_entry *e;
	struct strbuf name = STRBUF_INIT;
	long long total = 0;
	int r = 0, rc;
	while (r == 0 && (rc = la.archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		if (rc < ARCHIVE_WARN) {
			r = gm_usage(err, "image archive '%s': %s", path, la_reason(in));
			break;
		}
		if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "reading '%s' interrupted", path);
			break;
		}
		const char *raw = la.archive_entry_pathname(e);
		int c = clean_name(raw, &name);
		mode_t type = la.archive_entry_filetype(e);
		/* docker save's legacy <id>/layer.tar links to the layers:
		 * never made, so never followed (manifest.json names the files). */
		if (c == 1 || type == AE_IFDIR || type == AE_IFLNK || la.archive_entry_hardlink(e))
			continue;
		cleanup_strv char **parts = c == 0 ? strv_split(strbuf_str(&name), "/") : NULL;
		bool ok = c == 0 && strv_len(parts) <= 3;
		for (size_t i = 0; ok && parts[i]; i++)
			ok = plain_component(parts[i]);
		if (!ok || type != AE_IFREG) {
			r = gm_usage(err, "image archive '%s': entry '%s' is %s", path, raw,
				     ok ? "not a regular file (an image archive holds files only)"
					: "not a name an image archive has");
			break;
		}
		total += la.archive_entry_size(e);
		if (total > max_bytes) {
			r = gm_usage(err, "image archive '%s': more than %lld bytes", path, max_bytes);
			break;
		}
		cleanup_free char *dest = path_join(destdir, strbuf_str(&name));
		cleanup_free char *dir = xstrdup(dest);
		*strrchr(dir, '/') = '\0';
		if (mkdir_p(dir, 0755, err) < 0) {
			r = -1;
			break;
		}
		/* O_EXCL: a second entry of the same name is refused, not merged. */
		cleanup_close int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
					    0644);
		if (fd < 0) {
			r = errno == EEXIST ? gm_usage(err, "image archive '%s': '%s' appears twice", path, raw)
					    : gm_infra(err, errno, "cannot create '%s'", dest);
			break;
		}
		const void *buf;
		size_t size;
		la_int64_t off;
		while ((rc = la.archive_read_data_block(in, &buf, &size, &off)) == ARCHIVE_OK)
			if (pwrite(fd, buf, size, off) != (ssize_t)size) {
				r = gm_infra(err, errno, "cannot write '%s'", dest);
				break;
			}
		if (r == 0 && rc < ARCHIVE_WARN)
			r = gm_usage(err, "image archive '%s': %s", path, la_reason(in));
	}
	strbuf_release(&name);
	la.archive_read_free(in);
	return r;
}

/* The first component of rel (a clean name) under root that is not a
 * directory, before its last component: entries must not go through a
 * symbolic link (one to "/" would put them on the host).  -1 + err for a
 * link; 0 otherwise (a missing parent is created by the extraction). */
static int parents_plain(const char *root, const char *rel, const char *what, const char *raw,
			 struct gm_err **err)
{
	cleanup_free char *p = path_join(root, rel);
	size_t rl = strlen(root);
	for (char *s = p + rl + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		struct stat st;
		int r = lstat(p, &st);
		bool link = r == 0 && S_ISLNK(st.st_mode);
		*s = '/';
		if (link)
			return gm_usage(err, "%s: entry '%s' goes through the symbolic link '%.*s'", what, raw,
					(int)(s - p - rl - 1), p + rl + 1);
		if (r < 0)
			break;
	}
	return 0;
}

/* A whiteout (.wh.NAME deletes NAME, .wh..wh..opq empties its directory of
 * what lower layers put there); rel is the whiteout's own clean name. */
static int apply_whiteout(const char *root, const char *rel, const char *what, const char *raw,
			  struct gm_err **err)
{
	if (parents_plain(root, rel, what, raw, err) < 0)
		return -1;
	cleanup_free char *p = path_join(root, rel);
	char *base = strrchr(p, '/');
	base = base ? base + 1 : p + strlen(root) + 1;
	if (strcmp(base, ".wh..wh..opq") == 0) {
		*(base - 1) = '\0';
		struct stat st;
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			return 0;
		DIR *d = opendir(p);
		if (!d)
			return gm_infra(err, errno, "cannot read '%s'", p);
		struct dirent *de;
		int r = 0;
		while (r == 0 && (de = readdir(d)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
				cleanup_free char *c = path_join(p, de->d_name);
				r = rm_rf(c, err);
			}
		closedir(d);
		return r;
	}
	if (str_starts(base, ".wh..wh."))
		return 0; /* aufs's own bookkeeping (.wh..wh.plnk): no file of the image */
	memmove(base, base + 4, strlen(base + 4) + 1);
	return rm_rf(p, err);
}

/* One pass over a layer: whiteouts applied (first pass) or the other
 * entries extracted (second pass). */
static int layer_pass(const char *path, const char *root, const char *what, bool whiteouts,
		      struct archive_limits *lim, struct gm_err **err)
{
	cleanup_free char *prefix = xasprintf("%s: ", what);
	struct archive *in = tar_open(path, GM_EXIT_USAGE, prefix, err);
	if (!in)
		return -1;
	struct archive *out = la.archive_write_disk_new();
	la.archive_write_disk_set_options(out, extract_flags | ARCHIVE_EXTRACT_OWNER);
	la.archive_write_disk_set_standard_lookup(out);
	struct archive_entry *e;
	struct strbuf name = STRBUF_INIT, link = STRBUF_INIT;
	int r = 0, rc;
	while (r == 0 && (rc = la.archive_read_next_header(in, &e)) != ARCHIVE_EOF) {
		if (rc < ARCHIVE_WARN) {
			r = gm_usage(err, "%s: %s", what, la_reason(in));
			break;
		}
		if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "%s interrupted", what);
			break;
		}
		/* Copies: the entry's own strings are replaced before writing. */
		cleanup_free char *raw = xstrdup(la.archive_entry_pathname(e));
		int c = clean_name(raw, &name);
		cleanup_free char *hl = la.archive_entry_hardlink(e) ? xstrdup(la.archive_entry_hardlink(e))
								   : NULL;
		if (c < 0 || (hl && clean_name(hl, &link) != 0)) {
			r = c < 0 ? gm_usage(err, "%s: entry '%s' leaves the tree ('..')", what, raw)
				  : gm_usage(err, "%s: entry '%s' is a hard link to '%s', which leaves the "
					     "tree ('..')", what, raw, hl);
			break;
		}
		const char *base = strrchr(strbuf_str(&name), '/');
		base = base ? base + 1 : strbuf_str(&name);
		bool wh = c == 0 && str_starts(base, ".wh.");
		mode_t type = la.archive_entry_filetype(e);
		if (whiteouts) {
			if (wh)
				r = apply_whiteout(root, strbuf_str(&name), what, raw, err);
			else if (++lim->entries > lim->max_entries ||
				 (lim->bytes += la.archive_entry_size(e)) > lim->max_bytes)
				r = gm_usage(err, "%s: the image is larger than %lld entries or %lld bytes",
					     what, lim->max_entries, lim->max_bytes);
			continue;
		}
		/* The root's own entry, whiteouts (done) and devices (a tree
		 * shared by containers holds no device nodes) are not written. */
		if (c == 1 || wh || type == AE_IFCHR || type == AE_IFBLK)
			continue;
		if (parents_plain(root, strbuf_str(&name), what, raw, err) < 0 ||
		    (hl && parents_plain(root, strbuf_str(&link), what, hl, err) < 0)) {
			r = -1;
			break;
		}
		cleanup_free char *dest = path_join(root, strbuf_str(&name));
		la.archive_entry_set_pathname(e, dest);
		if (hl) {
			cleanup_free char *hdest = path_join(root, strbuf_str(&link));
			la.archive_entry_set_hardlink(e, hdest);
		}
		r = write_entry(in, out, e, what, raw, err);
	}
	strbuf_release(&name);
	strbuf_release(&link);
	if (la.archive_write_close(out) < ARCHIVE_WARN && r == 0)
		r = gm_infra(err, 0, "%s: %s", what, la_reason(out));
	la.archive_write_free(out);
	la.archive_read_free(in);
	return r;
}

int archive_apply_layer(const char *path, const char *root, const char *what,
			struct archive_limits *lim, struct gm_err **err)
{
	if (la_load(err) < 0)
		return -1;
	/* Whiteouts hide what lower layers hold, never the layer's own
	 * entries, wherever they sit in the tar: all of them first. */
	if (layer_pass(path, root, what, true, lim, err) < 0)
		return -1;
	return layer_pass(path, root, what, false, lim, err);
}
