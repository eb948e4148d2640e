#define _GNU_SOURCE
#include "acquire/debimport.h"
#include "base/arch.h"
#include "base/interrupt.h"
#include "acquire/archive.h"
#include "base/cleanup.h"
#include "acquire/debindex.h"
#include "acquire/debversion.h"
#include "elf/elfinfo.h"
#include "acquire/fetch.h"
#include "acquire/mirror.h"
#include "store/store.h"
#include "base/util.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Bumped whenever the layout of an imported sysroot changes, so --refresh
 * replaces sysroots made by an older importer. */
#define DEBIMPORT_FORMAT "debimport-1"

#define RELEASE_MAX (64u << 20)
#define PACKAGES_MAX (1024u << 20)

bool debimport_suite_valid(const char *suite)
{
	size_t n = strlen(suite);
	return n > 0 && n <= 64 && suite[0] != '-' &&
	       strspn(suite, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static void note(const struct debimport_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(const struct debimport_opts *o, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	if (!o->note)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	o->note(o->note_ctx, msg);
	free(msg);
}

static int check_interrupted(struct gm_err **err)
{
	if (interrupted())
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "import interrupted");
	return 0;
}

/* ---- paths inside a root directory -------------------------------------- */

/* Splits a path into its non-empty components onto *parts. */
static void split_push(char ***parts, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		strv_push(parts, c);
}

static char *parts_join(char **parts, size_t n)
{
	char *r = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *next = *r ? xasprintf("%s/%s", r, parts[i]) : xstrdup(parts[i]);
		free(r);
		r = next;
	}
	return r;
}

char *debimport_norm_target(const char *dir, const char *target, bool *escaped)
{
	cleanup_strv char **in = NULL;
	cleanup_strv char **out = NULL;
	bool esc = false;

	if (target[0] != '/')
		split_push(&in, dir);
	split_push(&in, target);
	for (size_t i = 0; in && in[i]; i++) {
		if (strcmp(in[i], ".") == 0)
			continue;
		if (strcmp(in[i], "..") == 0) {
			size_t n = strv_len(out);
			if (n == 0) {
				esc = true; /* ".." of the root is the root */
				continue;
			}
			free(out[n - 1]);
			out[n - 1] = NULL;
			continue;
		}
		strv_push(&out, in[i]);
	}
	if (escaped)
		*escaped = esc;
	return parts_join(out, strv_len(out));
}

char *debimport_relpath(const char *from, const char *to)
{
	cleanup_strv char **f = NULL;
	cleanup_strv char **t = NULL;
	split_push(&f, from);
	split_push(&t, to);
	size_t nf = strv_len(f), nt = strv_len(t), common = 0;
	while (common < nf && common < nt && strcmp(f[common], t[common]) == 0)
		common++;
	char *r = xstrdup("");
	for (size_t i = common; i < nf; i++) {
		char *next = xasprintf("%s../", r);
		free(r);
		r = next;
	}
	cleanup_free char *rest = parts_join(t + common, nt - common);
	char *full = xasprintf("%s%s", r, rest);
	free(r);
	size_t n = strlen(full);
	if (n && full[n - 1] == '/')
		full[n - 1] = '\0';
	if (!*full) {
		free(full);
		full = xstrdup(".");
	}
	return full;
}

char *debimport_resolve(const char *root, const char *rel)
{
	cleanup_strv char **done = NULL; /* canonical components so far */
	cleanup_free char *todo = xstrdup(rel);
	int hops = 0;

	for (;;) {
		char *p = todo;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		cleanup_free char *comp = xstrndup(p, n);
		char *rest = xstrdup(p + n);
		free(todo);
		todo = rest;
		if (strcmp(comp, ".") == 0)
			continue;
		size_t nd = strv_len(done);
		if (strcmp(comp, "..") == 0) {
			if (nd) {
				free(done[nd - 1]);
				done[nd - 1] = NULL;
			}
			continue;
		}
		strv_push(&done, comp);
		cleanup_free char *relnow = parts_join(done, nd + 1);
		cleanup_free char *host = path_join(root, relnow);
		struct stat st;
		if (lstat(host, &st) < 0)
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(host, target, sizeof(target) - 1);
			if (len < 0 || ++hops > 40)
				return NULL;
			target[len] = '\0';
			free(done[nd]);
			done[nd] = NULL;
			if (target[0] == '/') {
				strv_free(done);
				done = NULL;
			}
			char *next = xasprintf("%s/%s", target, todo);
			free(todo);
			todo = next;
		} else if (!S_ISDIR(st.st_mode) && strspn(todo, "/") != strlen(todo)) {
			return NULL; /* a file used as a directory */
		}
	}
	return parts_join(done, strv_len(done));
}

/* Rewrites one symlink (rel: its path under root) if its target is absolute
 * or climbs out of root. */
static int fix_link(const char *root, const char *rel, struct gm_err **err)
{
	cleanup_free char *host = path_join(root, rel);
	char target[4096];
	ssize_t len = readlink(host, target, sizeof(target) - 1);
	if (len < 0)
		return gm_infra(err, errno, "cannot read symlink '%s'", host);
	target[len] = '\0';

	cleanup_free char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	bool escaped;
	cleanup_free char *inroot = debimport_norm_target(dir, target, &escaped);
	if (target[0] != '/' && !escaped)
		return 0;
	cleanup_free char *relative = debimport_relpath(dir, inroot);
	if (unlink(host) < 0 || symlink(relative, host) < 0)
		return gm_infra(err, errno, "cannot rewrite symlink '%s' -> '%s'", host, relative);
	return 0;
}

/* Walks root/rel without following symlinks. */
static int fix_tree(const char *root, const char *rel, int depth, struct gm_err **err)
{
	cleanup_free char *host = *rel ? path_join(root, rel) : xstrdup(root);
	if (depth > 64)
		return gm_infra(err, 0, "'%s': directory tree too deep", host);
	DIR *d = opendir(host);
	if (!d)
		return gm_infra(err, errno, "cannot open directory '%s'", host);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, e->d_name)
					       : xstrdup(e->d_name);
		cleanup_free char *childhost = path_join(root, child);
		struct stat st;
		if (lstat(childhost, &st) < 0)
			r = gm_infra(err, errno, "cannot stat '%s'", childhost);
		else if (S_ISLNK(st.st_mode))
			r = fix_link(root, child, err);
		else if (S_ISDIR(st.st_mode))
			r = fix_tree(root, child, depth + 1, err);
	}
	closedir(d);
	return r;
}

int debimport_fix_symlinks(const char *root, struct gm_err **err)
{
	return fix_tree(root, "", 0, err);
}

/* ---- the rootfs after extraction ------------------------------------------ */

/* A tree whose packages ship only /usr/lib (trixie and later) still needs
 * /lib: libc.so, the linker script, names /lib/<triplet>/libc.so.6 and
 * /lib64/ld-linux-x86-64.so.2, which ld resolves under the sysroot. */
static int add_usrmerge_links(const char *root, struct gm_err **err)
{
	static const char *const dirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *top = path_join(root, dirs[i]);
		cleanup_free char *usr = xasprintf("%s/usr/%s", root, dirs[i]);
		if (path_exists(top) || !path_is_dir(usr))
			continue;
		cleanup_free char *target = xasprintf("usr/%s", dirs[i]);
		if (symlink(target, top) < 0)
			return gm_infra(err, errno, "cannot create '%s'", top);
	}
	return 0;
}

/* Every absolute path a linker script names must exist inside the sysroot,
 * or linking against it with --sysroot picks the host's files or fails. */
static int check_linker_script(const char *root, const char *rel, struct gm_err **err)
{
	cleanup_free char *host = path_join(root, rel);
	cleanup_free char *text = NULL;
	if (!path_exists(host))
		return 0;
	if (read_file(host, &text, NULL, err) < 0)
		return -1;
	if (!strstr(text, "GROUP"))
		return 0; /* a real shared object, not a script */
	/* Blank out comments, whose words may contain slashes. */
	for (char *c = text; (c = strstr(c, "/*"));) {
		char *e = strstr(c + 2, "*/");
		size_t n = e ? (size_t)(e + 2 - c) : strlen(c);
		memset(c, ' ', n);
		c += n;
	}
	for (char *p = text; (p = strchr(p, '/'));) {
		size_t n = strcspn(p, " \t\n()");
		cleanup_free char *path = xstrndup(p, n);
		p += n;
		cleanup_free char *found = debimport_resolve(root, path);
		if (!found)
			return gm_infra(err, 0,
					"the linker script '%s' names '%s', which is not in the sysroot",
					rel, path);
	}
	return 0;
}

/* Adds root/rel's canonical form to *v unless it is missing or listed. */
static void push_dir(const char *root, const char *rel, char ***v)
{
	cleanup_free char *canon = debimport_resolve(root, rel);
	if (!canon)
		return;
	cleanup_free char *host = path_join(root, canon);
	if (path_is_dir(host) && !strv_contains(*v, canon))
		strv_push(v, canon);
}

struct layout {
	char *loader;       /* relative to the root */
	char *libc;         /* canonical path of libc.so.6's directory */
	char **libdirs;     /* relative, canonical */
	char **includedirs; /* relative, canonical */
};

static void layout_release(struct layout *l)
{
	free(l->loader);
	free(l->libc);
	strv_free(l->libdirs);
	strv_free(l->includedirs);
	memset(l, 0, sizeof(*l));
}

static int find_layout(const char *root, const struct gm_arch *a, struct layout *l,
		       struct gm_err **err)
{
	const char *libcands[] = {"lib/%s", "usr/lib/%s", "lib", "usr/lib"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *dir = xasprintf(libcands[i], a->triplet);
		cleanup_free char *libc = xasprintf("%s/libc.so.6", dir);
		cleanup_free char *canon = debimport_resolve(root, libc);
		if (!canon)
			continue;
		char *slash = strrchr(canon, '/');
		l->libc = slash ? xstrndup(canon, slash - canon) : xstrdup("");
		break;
	}
	if (!l->libc)
		return gm_infra(err, 0, "no libc.so.6 in the imported packages");
	/* The directory with libc.so.6 first: the loader's search order. */
	strv_push(&l->libdirs, l->libc);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *dir = xasprintf(libcands[i], a->triplet);
		push_dir(root, dir, &l->libdirs);
	}

	/* The loader next to libc, else where PT_INTERP points (lib64/, lib/). */
	cleanup_free char *beside = xasprintf("%s/%s", l->libc, a->loader);
	const char *ldcands[] = {beside, "lib64", "lib", "usr/lib64", "usr/lib"};
	for (size_t i = 0; i < 5 && !l->loader; i++) {
		cleanup_free char *cand =
			i == 0 ? xstrdup(beside) : xasprintf("%s/%s", ldcands[i], a->loader);
		cleanup_free char *canon = debimport_resolve(root, cand);
		cleanup_free char *host = canon ? path_join(root, canon) : NULL;
		if (host && path_is_file(host))
			l->loader = steal_pointer(&cand);
	}
	if (!l->loader)
		return gm_infra(err, 0, "no %s in the imported packages", a->loader);

	push_dir(root, "usr/include", &l->includedirs);
	cleanup_free char *tinc = xasprintf("usr/include/%s", a->triplet);
	push_dir(root, tinc, &l->includedirs);
	if (!l->includedirs)
		return gm_infra(err, 0, "no usr/include in the imported packages");
	return 0;
}

/* The banner compiled into libc.so.6: "... release version 2.36." */
static char *libc_banner_version(const char *path)
{
	cleanup_free char *data = NULL;
	size_t len;
	if (read_file(path, &data, &len, NULL) < 0)
		return NULL;
	static const char key[] = "release version ";
	const char *p = memmem(data, len, key, sizeof(key) - 1);
	if (!p)
		return NULL;
	p += sizeof(key) - 1;
	size_t n = 0;
	while (p + n < data + len && (p[n] == '.' || (p[n] >= '0' && p[n] <= '9')))
		n++;
	while (n && p[n - 1] == '.')
		n--;
	return n ? xstrndup(p, n) : NULL;
}

/* libc.so.6 must be for the requested machine and be the glibc the libc6
 * package says it is.  Not every release adds a version node (2.31 has
 * none of its own on x86_64), so: the newest GLIBC_x.y node it defines must
 * not be newer than the package version, and its own banner must name
 * exactly that version. */
static int check_libc(const char *root, const struct layout *l, const struct gm_arch *a,
		      const char *version, struct gm_err **err)
{
	cleanup_free char *rel = xasprintf("%s/libc.so.6", l->libc);
	cleanup_free char *canon = debimport_resolve(root, rel);
	cleanup_free char *path = path_join(root, canon ? canon : rel);
	struct elf_info info = {0};
	int r = elf_info_read(path, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_infra(err, 0, "'%s' is not an ELF file", rel);
	cleanup_free char *newest = NULL;
	bool exact = false;
	for (size_t i = 0; info.verdefs && info.verdefs[i]; i++) {
		const char *v = info.verdefs[i];
		if (!str_starts(v, "GLIBC_") || !version_valid(v + 6))
			continue;
		if (strcmp(v + 6, version) == 0)
			exact = true;
		if (!newest || version_cmp(v + 6, newest) > 0) {
			free(newest);
			newest = xstrdup(v + 6);
		}
	}
	int machine = info.machine;
	elf_info_release(&info);
	if (machine != a->machine)
		return gm_infra(err, 0, "'%s' is for %s, not %s", rel, elf_machine_name(machine),
				a->gnu);
	if (!newest)
		return gm_infra(err, 0, "'%s' defines no GLIBC_x.y version node", rel);
	if (version_cmp(newest, version) > 0)
		return gm_infra(err, 0,
				"'%s' defines GLIBC_%s, newer than its package's glibc %s", rel,
				newest, version);
	cleanup_free char *banner = libc_banner_version(path);
	if (!exact && (!banner || strcmp(banner, version) != 0))
		return gm_infra(err, 0,
				"'%s' says it is glibc %s and defines no GLIBC_%s node, but its "
				"package says glibc %s",
				rel, banner ? banner : "(no banner)", version, version);
	return 0;
}

/* ---- the archive ---------------------------------------------------------- */

/* The packages a sysroot is made of; alternatives are tried in order. */
static const char *const wanted[][3] = {
	{"libc6", NULL},
	{"libc6-dev", NULL},
	{"linux-libc-dev", NULL},
	/* C++ probes need libgcc_s; it was libgcc1 before GCC 10 (buster). */
	{"libgcc-s1", "libgcc1", NULL},
};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

struct job {
	const struct debimport_opts *o;
	const struct gm_arch *a;
	char *suite, *name, *url, *final;
	char *release;
	char *downloads;
	struct debpkg pkgs[NWANTED];
	char *glibc;        /* upstream version */
	char cache_key[65];
};

static void job_release(struct job *j)
{
	free(j->suite);
	free(j->name);
	free(j->url);
	free(j->final);
	free(j->release);
	free(j->downloads);
	for (size_t i = 0; i < NWANTED; i++)
		debpkg_release(&j->pkgs[i]);
	free(j->glibc);
}

static bool http_not_found(const struct gm_err *e)
{
	return e && e->sys_errno == ENOENT;
}

static int fetch_release(struct job *j, struct gm_err **err)
{
	cleanup_free char *url = xasprintf("%s/dists/%s/Release", j->url, j->suite);
	struct gm_err *e = NULL;
	note(j->o, "reading %s", url);
	if (fetch_mem(url, RELEASE_MAX, &j->release, NULL, &e) == 0)
		return 0;
	if (http_not_found(e)) {
		gm_err_free(&e);
		return gm_usage(err, "no suite '%s' in the Debian archive at %s", j->suite, j->url);
	}
	*err = e;
	return -1;
}

/* Downloads and decompresses main/binary-<arch>/Packages, verified against
 * the Release file. */
static int fetch_packages(struct job *j, char **ret, struct gm_err **err)
{
	static const char *const exts[] = {".xz", ".gz", ""};
	char sha[65];
	const char *ext = NULL;
	cleanup_free char *path = NULL;
	for (size_t i = 0; i < 3 && !ext; i++) {
		free(path);
		path = xasprintf("main/binary-%s/Packages%s", j->a->deb, exts[i]);
		if (debindex_release_sha256(j->release, path, sha, NULL))
			ext = exts[i];
	}
	if (!ext) {
		cleanup_free char *archs = debindex_release_field(j->release, "Architectures");
		return gm_usage(err, "suite '%s' has no architecture '%s' (it has: %s)", j->suite,
				j->a->deb, archs ? archs : "none listed");
	}
	cleanup_free char *dest =
		xasprintf("%s/debian-%s-%s-Packages%s", j->downloads, j->suite, j->a->deb, ext);
	cleanup_free char *plain = xasprintf("%s/dists/%s/%s", j->url, j->suite, path);
	note(j->o, "fetching the %s %s package index", j->suite, j->a->deb);
	int r = -1;
	if (debindex_release_by_hash(j->release)) {
		/* By hash, the index cannot change under us between the Release
		 * file and this download when the mirror updates. */
		cleanup_free char *byhash = xasprintf("%s/dists/%s/main/binary-%s/by-hash/SHA256/%s",
						      j->url, j->suite, j->a->deb, sha);
		struct gm_err *e = NULL;
		r = fetch_file(byhash, dest, sha, NULL, &e);
		if (r < 0 && e->code == GM_EXIT_INTERRUPTED) {
			*err = e;
			return -1;
		}
		gm_err_free(&e);
	}
	if (r < 0 && fetch_file(plain, dest, sha, NULL, err) < 0)
		return -1;

	cleanup_free char *data = NULL;
	size_t len;
	if (read_file(dest, &data, &len, err) < 0)
		return -1;
	if (!*ext) {
		*ret = steal_pointer(&data);
		return 0;
	}
	if (archive_decompress_mem(data, len, PACKAGES_MAX, ret, NULL, err) < 0)
		return gm_err_wrap(err, "%s", dest);
	return 0;
}

static int pick_packages(struct job *j, const char *index, struct gm_err **err)
{
	for (size_t i = 0; i < NWANTED; i++) {
		bool found = false;
		for (size_t k = 0; wanted[i][k] && !found; k++)
			found = debindex_find(index, wanted[i][k], j->a->deb, &j->pkgs[i]);
		if (!found)
			return gm_infra(err, 0, "suite '%s' has no package %s for %s", j->suite,
					wanted[i][0], j->a->deb);
	}
	j->glibc = debversion_glibc_upstream(j->pkgs[0].version);
	if (!j->glibc)
		return gm_infra(err, 0, "cannot tell the glibc version of libc6 %s",
				j->pkgs[0].version);
	/* Everything that decides the sysroot's content: a changed revision of
	 * any package is a different sysroot. */
	cleanup_free char *key = xasprintf("%s\n%s\n%s\n", DEBIMPORT_FORMAT, j->suite, j->a->deb);
	for (size_t i = 0; i < NWANTED; i++) {
		char *next = xasprintf("%s%s %s\n", key, j->pkgs[i].filename, j->pkgs[i].sha256);
		free(key);
		key = next;
	}
	sha256_buf(key, strlen(key), j->cache_key);
	return 0;
}

static int fetch_and_extract(struct job *j, const char *stage, struct gm_err **err)
{
	for (size_t i = 0; i < NWANTED; i++) {
		const struct debpkg *p = &j->pkgs[i];
		const char *base = strrchr(p->filename, '/');
		base = base ? base + 1 : p->filename;
		cleanup_free char *dest = path_join(j->downloads, base);
		cleanup_free char *url = xasprintf("%s/%s", j->url, p->filename);
		char have[65];
		if (!path_exists(dest))
			note(j->o, "downloading %s %s (%llu kB)", p->package, p->version,
			     p->size / 1024);
		else if (sha256_file(dest, have, NULL) == 0 && strcmp(have, p->sha256) == 0)
			note(j->o, "using the downloaded %s %s", p->package, p->version);
		else
			note(j->o, "the downloaded %s does not match the index's sha256, downloading "
				   "again", base);
		if (fetch_file(url, dest, p->sha256, NULL, err) < 0)
			return -1;
		if (check_interrupted(err) < 0)
			return -1;
		if (archive_extract_deb(dest, stage, err) < 0)
			return -1;
	}
	return 0;
}

/* Turns the extracted packages into a sysroot and fills *s. */
static int assemble(struct job *j, const char *stage, struct sysroot *s, struct gm_err **err)
{
	struct layout l = {0};
	int r = -1;
	cleanup_free char *script = xasprintf("usr/lib/%s/libc.so", j->a->triplet);

	if (debimport_fix_symlinks(stage, err) < 0 || add_usrmerge_links(stage, err) < 0)
		goto out;
	if (find_layout(stage, j->a, &l, err) < 0)
		goto out;
	if (check_libc(stage, &l, j->a, j->glibc, err) < 0)
		goto out;
	if (check_linker_script(stage, script, err) < 0)
		goto out;

	s->name = xstrdup(j->name);
	s->glibc_version = xstrdup(j->glibc);
	s->arch = xstrdup(j->a->gnu);
	s->origin = xasprintf("debian:%s", j->suite);
	s->dir = xstrdup(j->final);
	s->prefix = xstrdup(j->final);
	/* Paths name the final place: the manifest is read after the rename. */
	s->loader = path_join(j->final, l.loader);
	for (size_t i = 0; l.libdirs[i]; i++)
		strv_push_take(&s->libdirs, path_join(j->final, l.libdirs[i]));
	for (size_t i = 0; l.includedirs[i]; i++)
		strv_push_take(&s->includedirs, path_join(j->final, l.includedirs[i]));
	s->source_sha256 = xstrdup(j->pkgs[0].sha256);
	s->configure_args = xcalloc(1, sizeof(char *));
	s->compiler = xstrdup("");
	s->package_version = xstrdup(j->pkgs[0].version);
	s->cache_key = xstrdup(j->cache_key);
	s->created = now_rfc3339();
	s->build_log = xstrdup("");
	r = sysroot_write(stage, s, err);
out:
	layout_release(&l);
	return r;
}

/* Puts stage at final.  An existing sysroot is swapped out atomically
 * (RENAME_EXCHANGE), so readers see the old or the new one, never none. */
static int install(const char *stage, const char *final, struct gm_err **err)
{
	if (path_exists(final)) {
		if (renameat2(AT_FDCWD, stage, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
			fsync_parent(final);
			return store_discard(stage, err); /* now holds the old one */
		}
		if (errno != EINVAL && errno != ENOSYS)
			return gm_infra(err, errno, "cannot swap '%s' and '%s'", stage, final);
		if (store_discard(final, err) < 0)
			return -1;
	}
	if (rename(stage, final) < 0)
		return gm_infra(err, errno, "cannot rename '%s' to '%s'", stage, final);
	fsync_parent(final);
	return 0;
}

/* An existing sysroot under our name must be this import's, or --name
 * collides with something else in the store. */
static int check_existing(struct job *j, const struct sysroot *s, struct gm_err **err)
{
	cleanup_free char *origin = xasprintf("debian:%s", j->suite);
	if (strcmp(s->origin ? s->origin : "", origin) != 0 ||
	    strcmp(s->arch ? s->arch : "", j->a->gnu) != 0)
		return gm_usage(err,
				"a sysroot named '%s' already exists (%s, %s); remove it or "
				"pick another --name",
				j->name, s->origin ? s->origin : "?", s->arch ? s->arch : "?");
	return 0;
}

/* The part that runs under the lock. */
static int import_locked(struct job *j, struct sysroot *ret, enum debimport_state *state,
			 struct gm_err **err)
{
	struct sysroot old = {0};
	bool have_old = sysroot_read(j->final, &old, NULL) == 0;
	int r = -1;
	cleanup_free char *build = NULL;
	cleanup_free char *stage = NULL;
	cleanup_free char *index = NULL;
	cleanup_free char *bdir = NULL;
	cleanup_free char *sysroots = NULL;
	struct sysroot s = {0};

	if (have_old && check_existing(j, &old, err) < 0)
		goto out;
	if (have_old && !j->o->refresh) {
		/* Someone else imported it while we waited for the lock. */
		*ret = old;
		*state = DEBIMPORT_CACHED;
		return 0;
	}
	if (mirror_debian(&j->url, err) < 0 || store_dir("downloads", &j->downloads, err) < 0)
		goto out;
	if (fetch_release(j, err) < 0 || fetch_packages(j, &index, err) < 0)
		goto out;
	if (pick_packages(j, index, err) < 0)
		goto out;
	free(steal_pointer(&index)); /* 60 MB we no longer need */
	if (have_old && old.cache_key && strcmp(old.cache_key, j->cache_key) == 0) {
		*ret = old;
		*state = DEBIMPORT_UNCHANGED;
		return 0;
	}

	if (store_dir("build", &build, err) < 0 || store_dir("sysroots", &sysroots, err) < 0)
		goto out;
	bdir = xasprintf("%s/%s", build, j->name);
	stage = xasprintf("%s/%s/stage", build, j->name);
	if (rm_rf(stage, err) < 0 || mkdir_p(stage, 0755, err) < 0)
		goto out;
	if (fetch_and_extract(j, stage, err) < 0 || check_interrupted(err) < 0 ||
	    assemble(j, stage, &s, err) < 0 || check_interrupted(err) < 0 ||
	    install(stage, j->final, err) < 0) {
		sysroot_release(&s);
		rm_rf(stage, NULL);
		rmdir(bdir); /* unless a from-source build left its log there */
		goto out;
	}
	rmdir(bdir);
	*ret = s;
	*state = have_old ? DEBIMPORT_REPLACED : DEBIMPORT_IMPORTED;
	r = 0;
out:
	sysroot_release(&old);
	return r;
}

static int job_init(struct job *j, const struct debimport_opts *o, struct gm_err **err)
{
	const char *arch = o->arch ? o->arch : arch_host() && arch_host()->proven ? arch_host()->deb : NULL;

	j->o = o;
	if (!debimport_suite_valid(o->suite))
		return gm_usage(err, "invalid suite name '%s' (expected [a-z0-9-]+, e.g. bookworm)",
				o->suite);
	if (!arch)
		return gm_usage(err, "this machine is not one of %s; pass --arch", arch_proven_debs());
	j->a = arch_by_deb(arch);
	if (!j->a || !j->a->proven)
		return gm_usage(err, "unsupported architecture '%s' (%s)", arch, arch_proven_debs());
	j->suite = xstrdup(o->suite);
	j->name = o->name ? xstrdup(o->name) : xasprintf("debian-%s-%s", o->suite, arch);
	if (!store_name_valid(j->name))
		return gm_usage(err, "invalid sysroot name '%s'", j->name);
	j->final = sysroot_path(j->name);
	return 0;
}

int debimport_run(const struct debimport_opts *opts, struct sysroot *ret,
		  enum debimport_state *ret_state, struct gm_err **err)
{
	struct job j = {0};
	int r = -1;

	if (job_init(&j, opts, err) < 0)
		goto out;
	/* The fast path: a complete sysroot exists, no lock and no network. */
	if (!opts->refresh && sysroot_read(j.final, ret, NULL) == 0) {
		r = check_existing(&j, ret, err);
		if (r < 0)
			sysroot_release(ret);
		else
			*ret_state = DEBIMPORT_CACHED;
		goto out;
	}
	int fd;
	if (store_lock(j.name, &fd, err) < 0)
		goto out;
	r = import_locked(&j, ret, ret_state, err);
	close(fd);
out:
	job_release(&j);
	return r;
}
