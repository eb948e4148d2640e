#define _GNU_SOURCE
#include "acquire/archive.h"
#include "acquire/archive-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/interrupt.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	struct archive *in = archive_tar_open(path, GM_EXIT_USAGE, "cannot open image archive ", err);
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
	struct archive *in = archive_tar_open(path, GM_EXIT_USAGE, prefix, err);
	if (!in)
		return -1;
	struct archive *out = la.archive_write_disk_new();
	la.archive_write_disk_set_options(out, archive_extract_flags | ARCHIVE_EXTRACT_OWNER);
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
		r = archive_write_entry(in, out, e, what, raw, err);
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
