#define _GNU_SOURCE
#include "acquire/deblibs.h"
#include "acquire/debindex.h"
#include "acquire/fetch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <dirent.h>
#include <string.h>

int deblibs_fetch_listed(const char *url, const char *suite, const char *release,
			 const char *path, const char *dest, const char *what,
			 struct gm_err **err)
{
	char sha[65];
	unsigned long long size = 0;
	if (!debindex_release_sha256(release, path, sha, &size))
		return gm_usage(err, "the Release file of '%s' lists no %s (%s)", suite, what, path);
	if (debindex_release_by_hash(release)) {
		cleanup_free char *dir = xstrdup(path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		cleanup_free char *byhash = xasprintf("%s/dists/%s/%s/by-hash/SHA256/%s", url, suite,
						      slash ? dir : ".", sha);
		struct gm_err *e = NULL;
		if (fetch_file_sized(byhash, dest, sha, size, NULL, &e) == 0)
			return 0;
		if (e->code == GM_EXIT_INTERRUPTED) {
			*err = e;
			return -1;
		}
		/* A mirror that says by-hash but lacks this one: the plain path,
		 * still checked against the Release's hash. */
		gm_err_free(&e);
	}
	cleanup_free char *plain = xasprintf("%s/dists/%s/%s", url, suite, path);
	return fetch_file_sized(plain, dest, sha, size, NULL, err);
}

static bool held(const struct sysroot *s, const char *name)
{
	cleanup_strv char **dirs = sysroot_all_libdirs(s);
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *p = path_join(dirs[i], name);
		if (path_exists(p))
			return true;
	}
	return false;
}

char **deblibs_lacking(const struct sysroot *s, char *const *names)
{
	char **v = xcalloc(1, sizeof(char *));
	for (size_t i = 0; names && names[i]; i++)
		if (!held(s, names[i]) && !strv_contains(v, names[i]))
			strv_push(&v, names[i]);
	return v;
}

char *deblibs_table_path(const char *downloads, const char *suite, const char *deb_arch)
{
	return xasprintf("%s/debian-%s-%s-libraries.tsv", downloads, suite, deb_arch);
}

int deblibs_table(const char *url, const char *suite, const char *release,
		  const char *downloads, const char *deb_arch, const char *triplet,
		  struct debcontents *ret, struct gm_err **err)
{
	static const char *const exts[] = {".gz", ".xz", ""};
	cleanup_free char *table = deblibs_table_path(downloads, suite, deb_arch);
	cleanup_free char *path = NULL;
	char sha[65];
	unsigned long long size;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		free(path);
		path = xasprintf("main/Contents-%s%s", deb_arch, exts[i]);
		if (debindex_release_sha256(release, path, sha, &size))
			break;
	}
	int r = debcontents_load(table, ret, err);
	if (r < 0)
		return -1;
	if (r == 0 && strcmp(ret->contents_sha256, sha) == 0)
		return 0;
	if (r == 0)
		debcontents_release(ret);
	const char *base = strrchr(path, '/') + 1;
	cleanup_free char *dest = xasprintf("%s/debian-%s-%s", downloads, suite, base);
	if (deblibs_fetch_listed(url, suite, release, path, dest, "Contents index", err) < 0)
		return -1;
	r = debcontents_make(dest, sha, triplet, table, ret, err);
	/* The table is what is kept: 13 MB of index would only wait for the
	 * next Release. */
	unlink(dest);
	return r;
}

/* The package of pkgs ("a,b") to take: one the index has, a run-time
 * library first (a -dev or -dbg package shipping the same file name is a
 * link or a debug copy). */
static char *pick(const char *pkgs, const char *index, const char *deb_arch)
{
	cleanup_strv char **v = strv_split(pkgs, ",");
	char *any = NULL;
	for (size_t i = 0; v[i]; i++) {
		struct debpkg p;
		if (!debindex_find(index, v[i], deb_arch, &p))
			continue;
		bool lib = debpkg_is_runtime_library(&p);
		debpkg_release(&p);
		if (lib) {
			free(any);
			return xstrdup(v[i]);
		}
		if (!any)
			any = xstrdup(v[i]);
	}
	return any;
}

char *deblibs_policy_name(const char *name)
{
	const char *so = strstr(name, ".so");
	if (!str_starts(name, "lib") || !so || so == name || (so[3] && so[3] != '.'))
		return NULL;
	const char *ver = so[3] ? so + 4 : "";
	bool digit = so[-1] >= '0' && so[-1] <= '9';
	char *p = xasprintf("%.*s%s%s", (int)(so - name), name, *ver && digit ? "-" : "", ver);
	for (char *c = p; *c; c++)
		*c = *c == '_' ? '-' : (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
	return p;
}

/* "P,Pt64,O,Ot64,..." by the policy's name P and this machine's owners
 * O, or NULL. */
static char *guesses(const char *name, const char *owners)
{
	cleanup_free char *p = deblibs_policy_name(name);
	cleanup_strv char **o = strv_split(owners ? owners : "", ",");
	struct strbuf b = STRBUF_INIT;
	if (p)
		strbuf_addf(&b, "%s,%st64", p, p);
	for (size_t i = 0; o[i]; i++)
		strbuf_addf(&b, "%s%s,%st64", b.len ? "," : "", o[i], o[i]);
	if (!b.len) {
		strbuf_release(&b);
		return NULL;
	}
	return strbuf_detach(&b);
}

/* Adds the package of a dpkg list file (info/NAME.list or NAME:ARCH.list)
 * to owners[k] for each of names it ships in a library directory. */
static void scan_list(const char *dir, const char *file, const char *triplet,
		      char *const *names, char **owners)
{
	cleanup_free char *path = path_join(dir, file);
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, NULL) < 0)
		return;
	/* "libssl3:amd64.list" is libssl3's */
	cleanup_free char *pkg = xstrndup(file, strlen(file) - strlen(".list"));
	pkg[strcspn(pkg, ":")] = '\0';
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *slash = strrchr(l, '/');
		if (!slash || !is_lib_dir(l + 1, (size_t)(slash - l - 1), triplet))
			continue;
		for (size_t k = 0; names[k]; k++) {
			if (strcmp(slash + 1, names[k]) != 0)
				continue;
			cleanup_strv char **have = strv_split(owners[k] ? owners[k] : "", ",");
			if (strv_contains(have, pkg))
				continue;
			char *more = xasprintf("%s%s%s", owners[k] ? owners[k] : "", owners[k] ? "," : "", pkg);
			free(owners[k]);
			owners[k] = more;
		}
	}
}

char **deblibs_host_owners(const char *dpkg_info, const char *triplet, char *const *names)
{
	size_t n = strv_len(names);
	char **owners = xcalloc(n + 1, sizeof(char *));
	DIR *d = n ? opendir(dpkg_info) : NULL;
	for (struct dirent *e; d && (e = readdir(d));)
		if (str_ends(e->d_name, ".list"))
			scan_list(dpkg_info, e->d_name, triplet, names, owners);
	if (d)
		closedir(d);
	return owners;
}

void deblibs_choose(const struct debcontents *t, char *const *owners, const char *index,
		    const char *deb_arch, char *const *names, char ***with, char ***unshipped)
{
	for (size_t i = 0; names && names[i]; i++) {
		cleanup_free char *guess = t ? NULL : guesses(names[i], owners ? owners[i] : NULL);
		const char *pkgs = t ? debcontents_find(t, names[i]) : guess;
		char *p = pkgs ? pick(pkgs, index, deb_arch) : NULL;
		if (!p) {
			if (!strv_contains(*unshipped, names[i]))
				strv_push(unshipped, names[i]);
			continue;
		}
		if (!strv_contains(*with, p))
			strv_push(with, p);
		free(p);
	}
}

/* "PACKAGE VERSION" of s's packages whose name is one of pkgs ("a,b"). */
static const char *installed(const struct sysroot *s, const char *pkgs)
{
	cleanup_strv char **v = strv_split(pkgs, ",");
	for (size_t k = 0; s->packages && s->packages[k]; k++) {
		size_t n = strcspn(s->packages[k], " ");
		for (size_t i = 0; v[i]; i++)
			if (strlen(v[i]) == n && strncmp(s->packages[k], v[i], n) == 0)
				return s->packages[k];
	}
	return NULL;
}

char **deblibs_shipped(const struct debcontents *t, char *const *owners,
		       const struct sysroot *s, char *const *names)
{
	char **v = xcalloc(1, sizeof(char *));
	for (size_t i = 0; names && names[i]; i++) {
		cleanup_free char *guess = t ? NULL : guesses(names[i], owners ? owners[i] : NULL);
		const char *pkgs = t ? debcontents_find(t, names[i]) : guess;
		const char *pv = pkgs && held(s, names[i]) ? installed(s, pkgs) : NULL;
		if (pv)
			strv_push_take(&v, xasprintf("%s %s", names[i], pv));
	}
	return v;
}
