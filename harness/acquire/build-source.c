/* What a source build builds: the glibc version and the identity of its
 * source (the tarball's sha256, or a hash over a developer's tree), and
 * getting that source into the private copy the build works on. */
#define _GNU_SOURCE
#include "acquire/build-int.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/util.h"
#include "acquire/archive.h"
#include "acquire/fetch.h"
#include "acquire/mirror.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int build_tree_version(const char *srcdir, char **ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(srcdir, "version.h");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "'%s' is not a glibc source tree", srcdir);
	char *p = strstr(text, "#define VERSION \"");
	if (!p)
		return gm_usage(err, "'%s' has no VERSION definition; not a glibc source tree", path);
	p += strlen("#define VERSION \"");
	size_t n = strcspn(p, "\"\n");
	*ret = xstrndup(p, n);
	if (!version_valid(*ret)) {
		int r = gm_usage(err, "'%s': cannot read the glibc version ('%s')", path, *ret);
		free(*ret);
		return r;
	}
	return 0;
}

static int hash_dir(EVP_MD_CTX *md, const char *root, const char *rel, struct gm_err **err)
{
	cleanup_free char *dir = rel[0] ? path_join(root, rel) : xstrdup(root);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	int r = 0;
	if (n < 0)
		return gm_infra(err, errno, "cannot read directory '%s'", dir);
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (r < 0 || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
		    (!rel[0] && strcmp(nm, ".git") == 0)) {
			free(names[i]);
			continue;
		}
		cleanup_free char *sub = rel[0] ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
		cleanup_free char *full = path_join(root, sub);
		struct stat st;
		if (lstat(full, &st) < 0) {
			r = gm_infra(err, errno, "cannot stat '%s'", full);
		} else if (S_ISDIR(st.st_mode)) {
			EVP_DigestUpdate(md, "d ", 2);
			EVP_DigestUpdate(md, sub, strlen(sub) + 1);
			r = hash_dir(md, root, sub, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t k = readlink(full, target, sizeof(target));
			EVP_DigestUpdate(md, "l ", 2);
			EVP_DigestUpdate(md, sub, strlen(sub) + 1);
			if (k > 0)
				EVP_DigestUpdate(md, target, k);
		} else if (S_ISREG(st.st_mode)) {
			char h[65];
			if (sha256_file(full, h, err) < 0) {
				r = -1;
			} else {
				char mode = (st.st_mode & 0111) ? 'x' : 'f';
				EVP_DigestUpdate(md, &mode, 1);
				EVP_DigestUpdate(md, sub, strlen(sub) + 1);
				EVP_DigestUpdate(md, h, 64);
			}
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int build_tree_hash(const char *dir, char out[65], struct gm_err **err)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	int r = hash_dir(md, dir, "", err);
	EVP_DigestFinal_ex(md, digest, &len);
	EVP_MD_CTX_free(md);
	if (r == 0)
		hex_digest(digest, len, out);
	return r;
}

/* "glibc-2.42.tar.xz", "glibc_2.42.orig.tar.xz" -> "2.42" */
static char *version_from_filename(const char *path)
{
	regex_t re;
	regmatch_t m[2];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *r = NULL;
	if (regcomp(&re, "^glibc[-_]([0-9]+\\.[0-9]+(\\.[0-9]+)?)[._]", REG_EXTENDED) != 0)
		return NULL;
	if (regexec(&re, base, 2, m, 0) == 0)
		r = xstrndup(base + m[1].rm_so, m[1].rm_eo - m[1].rm_so);
	regfree(&re);
	return r;
}


/* A known version Debian's archive has: the tarball is downloaded into the
 * store's downloads/ and checked against rec's sha256 there (fetch_file). */
static int known_debian(struct build *b, const struct recipe *rec, struct gm_err **err)
{
	cleanup_free char *mirror = NULL;
	cleanup_free char *dl = NULL;
	b->version = xstrdup(rec->version);
	b->source_sha256 = xstrdup(rec->sha256);
	if (mirror_debian(b->cfg, &mirror, err) < 0)
		return -1;
	b->url = xasprintf("%s/%s", mirror, rec->path);
	const char *base = strrchr(rec->path, '/') ? strrchr(rec->path, '/') + 1 : rec->path;
	if (store_dir(b->cfg, "downloads", &dl, err) < 0)
		return -1;
	b->tarball = path_join(dl, base);
	return 0;
}

/* A known version Debian's archive does not have: its tarball is a file in
 * the local glibc source directory, checked against rec's sha256 before
 * anything uses it (a mismatch names the file). */
static int known_local(struct build *b, const struct recipe *rec, struct gm_err **err)
{
	char h[65];
	if (!b->cfg->glibc_src)
		return gm_infra(err, 0,
				"glibc %s comes from a local source directory (its tarball %s); set "
				"GLIBC_MATRIX_GLIBC_SRC to the directory that holds it",
				rec->version, rec->path);
	cleanup_free char *path = path_join(b->cfg->glibc_src, rec->path);
	if (!path_is_file(path))
		return gm_infra(err, 0,
				"glibc %s: no '%s' (the local glibc source directory is "
				"GLIBC_MATRIX_GLIBC_SRC, else ../shared/glibc-src beside the checkout)",
				rec->version, path);
	if (sha256_file(path, h, err) < 0)
		return -1;
	if (strcmp(h, rec->sha256) != 0)
		return gm_infra(err, 0, "sha256 mismatch for '%s': expected %s, got %s; not used",
				path, rec->sha256, h);
	b->version = xstrdup(rec->version);
	b->source_sha256 = xstrdup(rec->sha256);
	b->tarball = xstrdup(path);
	return 0;
}

/* Resolves input into version, source hash and where the source comes from. */
int build_resolve_input(struct build *b, struct gm_err **err)
{
	const char *in = b->opts->input;
	struct stat st;

	if (stat(in, &st) < 0) {
		struct recipe rec;
		int found;
		if (!version_valid(in))
			return gm_usage(err, "'%s': no such file or directory, and not a glibc version", in);
		found = recipes_find(b->cfg, in, &rec, err);
		if (found < 0)
			return -1;
		if (!found) {
			struct recipe *v;
			size_t n;
			struct strbuf kb = STRBUF_INIT;
			if (recipes_versions(b->cfg, &v, &n, NULL) == 0) {
				for (size_t i = 0; i < n; i++)
					strbuf_addf(&kb, "%s%s", i ? " " : "", v[i].version);
				recipes_free(v, n);
			}
			cleanup_free char *known = strbuf_detach(&kb);
			return gm_usage(err,
					"unknown glibc version '%s' (known: %s); pass a tarball or a "
					"source directory to build another",
					in, known);
		}
		int r = rec.local ? known_local(b, &rec, err) : known_debian(b, &rec, err);
		recipe_release(&rec);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		char h[65];
		b->tree = path_real(in, err);
		if (!b->tree)
			return -1;
		cleanup_free char *configure = path_join(b->tree, "configure");
		if (!path_is_file(configure))
			return gm_usage(err, "'%s' is not a glibc source tree (no configure script)", in);
		if (build_tree_version(b->tree, &b->version, err) < 0)
			return -1;
		if (build_tree_hash(b->tree, h, err) < 0)
			return -1;
		b->source_sha256 = xstrdup(h);
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		char h[65];
		b->tarball = path_real(in, err);
		if (!b->tarball)
			return -1;
		b->version = version_from_filename(in);
		if (!b->version)
			return gm_usage(err,
					"cannot tell the glibc version from the file name '%s' "
					"(expected glibc-X.Y.tar.* or glibc_X.Y.orig.tar.*)",
					in);
		if (sha256_file(b->tarball, h, err) < 0)
			return -1;
		b->source_sha256 = xstrdup(h);
		return 0;
	}
	return gm_usage(err, "'%s' is neither a glibc version, a tarball nor a directory", in);
}

int build_fetch_source(struct build *b, struct gm_err **err)
{
	if (b->tree) {
		cleanup_free char *from = xasprintf("%s/.", b->tree);
		char *argv[] = {"cp", "-a", "--reflink=auto", from, b->src, NULL};
		if (mkdir_p(b->src, 0755, err) < 0)
			return -1;
		return build_step(b, "copy source", argv, NULL, err);
	}
	if (b->url) {
		progress_phase(&b->progress, "download", NULL);
		build_log(b, "== download %s", b->url);
		if (fetch_file(b->url, b->tarball, b->source_sha256, NULL, err) < 0)
			return -1;
	}
	progress_phase(&b->progress, "unpack", NULL);
	build_log(b, "== unpack %s", b->tarball);
	if (mkdir_p(b->src, 0755, err) < 0)
		return -1;
	return archive_extract_tarball(b->tarball, b->src, 1, err);
}

