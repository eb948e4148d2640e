#define _GNU_SOURCE
#include "acquire/debimport.h"
#include "acquire/deblayout.h"
#include "base/arch.h"
#include "base/interrupt.h"
#include "acquire/archive.h"
#include "base/cleanup.h"
#include "acquire/debdeps.h"
#include "acquire/deblibs.h"
#include "acquire/debindex.h"
#include "acquire/debversion.h"
#include "elf/elfinfo.h"
#include "acquire/fetch.h"
#include "acquire/mirror.h"
#include "acquire/signature.h"
#include "store/rootpath.h"
#include "store/store.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/hash.h"
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
#include <time.h>
#include <unistd.h>

/* Bumped whenever the layout of an imported sysroot changes, so --refresh
 * replaces sysroots made by an older importer. */
#define DEBIMPORT_FORMAT "debimport-2"

/* Where the packages for users' libraries go (sysroot.suite_libdirs). */
#define SUITE_LIBS "suite-libs"
#define RELEASE_MAX (64u << 20)
/* Where dpkg says which package owns which file on this machine. */
#define DPKG_INFO "/var/lib/dpkg/info"
#define PACKAGES_MAX (1024u << 20)

/* Without a context the import is silent. */
static const struct gm_ctx quiet_ctx = {.quiet = true};

bool debimport_suite_valid(const char *suite)
{
	size_t n = strlen(suite);
	return n > 0 && n <= 64 && suite[0] != '-' &&
	       strspn(suite, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int check_interrupted(struct gm_err **err)
{
	if (interrupted())
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "import interrupted");
	return 0;
}

/* ---- the archive ---------------------------------------------------------- */

struct job {
	const struct debimport_opts *o;
	const struct gm_arch *a;
	char *suite, *name, *url, *final;
	char *release;      /* the verified text of the Release file */
	char *signature;    /* fingerprints of its good signatures, or "unchecked" */
	char *downloads;
	char **with;        /* --with, and what an earlier import was asked for */
	struct debset set;
	char *glibc;        /* upstream version */
	char cache_key[65];
	char **suite_with;  /* packages for the libraries users' files need */
	char **apart;       /* packages of set that go to suite-libs/ */
	char **lacking;     /* libraries asked for that the old sysroot lacks */
	char **unshipped;   /* ... that no package of the suite ships */
	struct debcontents table; /* the suite's library table, once loaded */
	bool have_table;
};

static void job_release(struct job *j)
{
	free(j->suite);
	free(j->name);
	free(j->url);
	free(j->final);
	free(j->release);
	free(j->signature);
	free(j->downloads);
	strv_free(j->with);
	debset_release(&j->set);
	free(j->glibc);
	strv_free(j->suite_with);
	strv_free(j->apart);
	strv_free(j->lacking);
	strv_free(j->unshipped);
	if (j->have_table)
		debcontents_release(&j->table);
}

static bool http_not_found(const struct gm_err *e)
{
	return e && e->sys_errno == ENOENT;
}

static const struct gm_ctx *ctx_of(const struct job *j)
{
	return j->o->ctx ? j->o->ctx : &quiet_ctx;
}

/* Fetches url into memory; a missing file is *missing = true, not an error. */
static int fetch_optional(const char *url, char **ret, size_t *ret_len, bool *missing,
			  struct gm_err **err)
{
	struct gm_err *e = NULL;
	*missing = false;
	if (fetch_mem(url, RELEASE_MAX, ret, ret_len, &e) == 0)
		return 0;
	if (http_not_found(e)) {
		gm_err_free(&e);
		*missing = true;
		return 0;
	}
	*err = e;
	return -1;
}

/* Runs gpgv on what the mirror signed, in a private directory under the
 * sysroot's build directory (both removed again). */
static int verify(struct job *j, const char *url, const char *text, size_t len, const char *sig,
		  size_t siglen, struct gm_err **err)
{
	cleanup_free char *build = NULL;
	if (store_dir(j->o->cfg, "build", &build, err) < 0)
		return -1;
	cleanup_free char *bdir = path_join(build, j->name);
	cleanup_free char *tmp = path_join(bdir, "release.XXXXXX");
	if (mkdir_p(bdir, 0755, err) < 0)
		return -1;
	int r = -1;
	if (!mkdtemp(tmp))
		r = gm_infra(err, errno, "cannot create '%s'", tmp);
	else
		r = signature_verify(signature_keyring(j->o->cfg), tmp, url, text, len, sig, siglen,
				     &j->release, &j->signature, err);
	rmdir(bdir); /* unless a from-source build left its log there */
	return r;
}

/* The Release file of the suite, authenticated: InRelease (clearsigned) or
 * Release + Release.gpg, verified by gpgv; only the verified text is kept.
 * With --insecure the plain Release is read and nothing is verified but
 * the hashes it lists. */
static int fetch_release(struct job *j, struct gm_err **err)
{
	cleanup_free char *base = xasprintf("%s/dists/%s", j->url, j->suite);
	cleanup_free char *inrelease = xasprintf("%s/InRelease", base);
	cleanup_free char *release = xasprintf("%s/Release", base);
	cleanup_free char *gpg = xasprintf("%s/Release.gpg", base);
	cleanup_free char *text = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	bool missing;

	if (j->o->insecure) {
		gm_note(ctx_of(j), "reading %s (--insecure: its signature is not checked)", release);
		if (fetch_optional(release, &j->release, NULL, &missing, err) < 0)
			return -1;
		if (missing)
			return gm_usage(err, "no suite '%s' in the Debian archive at %s", j->suite, j->url);
		j->signature = xstrdup("unchecked");
		return 0;
	}
	gm_note(ctx_of(j), "reading %s", inrelease);
	if (fetch_optional(inrelease, &text, &len, &missing, err) < 0)
		return -1;
	if (!missing)
		return verify(j, inrelease, text, len, NULL, 0, err);
	/* Older mirrors and tools publish only the detached form. */
	gm_note(ctx_of(j), "no InRelease; reading %s and its Release.gpg", release);
	if (fetch_optional(release, &text, &len, &missing, err) < 0)
		return -1;
	if (missing)
		return gm_usage(err, "no suite '%s' in the Debian archive at %s", j->suite, j->url);
	if (fetch_optional(gpg, &sig, &siglen, &missing, err) < 0)
		return -1;
	if (missing)
		return gm_infra(err, 0,
				"'%s' is not signed: neither '%s' nor '%s' exists; "
				"a local mirror without signatures needs --insecure",
				release, inrelease, gpg);
	return verify(j, release, text, len, sig, siglen, err);
}

/* A Release signed for another suite (an old one served in its place)
 * carries a good signature too: its Suite or Codename must be ours.
 * Valid-Until (gpgv does not look at it) is reported, not enforced: it
 * guards against a mirror replaying an old, validly signed Release, which
 * here would give an authentic but outdated glibc, while frozen and
 * snapshot mirrors, which users point GLIBC_MATRIX_MIRROR at, serve expired
 * Release files on purpose (the archive this was written against served
 * sid's 24 days past its Valid-Until). */
static int check_release(struct job *j, struct gm_err **err)
{
	cleanup_free char *suite = debindex_release_field(j->release, "Suite");
	cleanup_free char *codename = debindex_release_field(j->release, "Codename");
	cleanup_free char *until = debindex_release_field(j->release, "Valid-Until");
	if (!(suite && strcmp(suite, j->suite) == 0) && !(codename && strcmp(codename, j->suite) == 0))
		return gm_infra(err, 0,
				"the Release file served for '%s' is another suite's (Suite: %s, "
				"Codename: %s)",
				j->suite, suite ? suite : "none", codename ? codename : "none");
	struct tm tm = {0};
	const char *end = until ? strptime(until, "%a, %d %b %Y %H:%M:%S", &tm) : NULL;
	if (end && timegm(&tm) < time(NULL))
		gm_note(ctx_of(j),
			"warning: the Release file of '%s' expired on %s (Valid-Until): the "
			"mirror may be serving stale packages",
			j->suite, until);
	return 0;
}

/* Downloads and decompresses main/binary-<arch>/Packages, verified against
 * the Release file. */
static int fetch_packages(struct job *j, char **ret, struct gm_err **err)
{
	static const char *const exts[] = {".xz", ".gz", ""};
	char sha[65];
	unsigned long long size = 0;
	const char *ext = NULL;
	cleanup_free char *path = NULL;
	for (size_t i = 0; i < 3 && !ext; i++) {
		free(path);
		path = xasprintf("main/binary-%s/Packages%s", j->a->deb, exts[i]);
		if (debindex_release_sha256(j->release, path, sha, &size))
			ext = exts[i];
	}
	if (!ext) {
		cleanup_free char *archs = debindex_release_field(j->release, "Architectures");
		return gm_usage(err, "suite '%s' has no architecture '%s' (it has: %s)", j->suite,
				j->a->deb, archs ? archs : "none listed");
	}
	cleanup_free char *dest =
		xasprintf("%s/debian-%s-%s-Packages%s", j->downloads, j->suite, j->a->deb, ext);
	gm_note(ctx_of(j), "fetching the %s %s package index", j->suite, j->a->deb);
	if (deblibs_fetch_listed(j->url, j->suite, j->release, path, dest, "package index",
				 err) < 0)
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

/* The packages that ship the libraries the old sysroot lacks join --with;
 * those no package ships are noted. */
static int choose_libraries(struct job *j, const char *index, struct gm_err **err)
{
	if (!j->lacking || !j->lacking[0])
		return 0;
	if (!j->have_table) {
		gm_note(ctx_of(j), "reading which %s packages ship %s%s", j->suite, j->lacking[0],
			j->lacking[1] ? " and the other libraries" : "");
		struct gm_err *e = NULL;
		j->have_table = deblibs_table(j->url, j->suite, j->release, j->downloads, j->a->deb,
					      j->a->triplet, &j->table, &e) == 0;
		if (e && e->code == GM_EXIT_INTERRUPTED) {
			*err = e;
			return -1;
		}
		if (e)
			gm_note(ctx_of(j), "warning: %s; taking the packages Debian's library naming "
				   "policy names instead, each kept only if it holds the library",
				e->msg);
		gm_err_free(&e);
	}
	strv_free(j->unshipped);
	j->unshipped = xcalloc(1, sizeof(char *));
	cleanup_strv char **owners =
		j->have_table ? NULL : deblibs_host_owners(DPKG_INFO, j->a->triplet, j->lacking);
	deblibs_choose(j->have_table ? &j->table : NULL, owners, index, j->a->deb, j->lacking,
		       &j->suite_with, &j->unshipped);
	return 0;
}

/* The packages the libraries for users' files bring beyond what the
 * sysroot is made of without them: j->apart. */
static int set_apart(struct job *j, const char *index, struct gm_err **err)
{
	struct debset base = {0};
	strv_free(j->apart);
	j->apart = xcalloc(1, sizeof(char *));
	if (!j->suite_with[0])
		return 0;
	if (debdeps_resolve(index, j->a->deb, j->suite, j->with, &base, err) < 0)
		return -1;
	for (size_t i = 0; i < j->set.n; i++) {
		bool in_base = false;
		for (size_t k = 0; k < base.n && !in_base; k++)
			in_base = strcmp(base.pkgs[k].package, j->set.pkgs[i].package) == 0;
		if (!in_base)
			strv_push(&j->apart, j->set.pkgs[i].package);
	}
	debset_release(&base);
	return 0;
}

static int pick_packages(struct job *j, const char *index, struct gm_err **err)
{
	cleanup_strv char **all = strv_dup(j->with);
	for (size_t i = 0; j->suite_with[i]; i++)
		if (!strv_contains(all, j->suite_with[i]))
			strv_push(&all, j->suite_with[i]);
	if (debdeps_resolve(index, j->a->deb, j->suite, all, &j->set, err) < 0 ||
	    set_apart(j, index, err) < 0)
		return -1;
	for (size_t i = 0; j->set.notes[i]; i++)
		gm_note(ctx_of(j), "%s", j->set.notes[i]);
	j->glibc = debversion_glibc_upstream(j->set.pkgs[0].version);
	if (!j->glibc)
		return gm_infra(err, 0, "cannot tell the glibc version of libc6 %s",
				j->set.pkgs[0].version);
	/* Everything that decides the sysroot's content: a changed revision of
	 * any package is a different sysroot. */
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "%s\n%s\n%s\n", DEBIMPORT_FORMAT, j->suite, j->a->deb);
	for (size_t i = 0; i < j->set.n; i++)
		strbuf_addf(&key, "%s %s%s\n", j->set.pkgs[i].filename, j->set.pkgs[i].sha256,
			    strv_contains(j->apart, j->set.pkgs[i].package) ? " apart" : "");
	/* An unverified import is another sysroot: a later verified --refresh
	 * replaces it.  (Verified imports keep the key they always had.) */
	if (j->o->insecure)
		strbuf_addf(&key, "signature unchecked\n");
	sha256_buf(strbuf_str(&key), key.len, j->cache_key);
	strbuf_release(&key);
	return 0;
}

static int fetch_and_extract(struct job *j, const char *stage, struct gm_err **err)
{
	for (size_t i = 0; i < j->set.n; i++) {
		const struct debpkg *p = &j->set.pkgs[i];
		const char *base = strrchr(p->filename, '/');
		base = base ? base + 1 : p->filename;
		cleanup_free char *dest = path_join(j->downloads, base);
		cleanup_free char *url = xasprintf("%s/%s", j->url, p->filename);
		char have[65];
		if (!path_exists(dest))
			gm_note(ctx_of(j), "downloading %s %s (%llu kB)", p->package, p->version,
			     p->size / 1024);
		else if (sha256_file(dest, have, NULL) == 0 && strcmp(have, p->sha256) == 0)
			gm_note(ctx_of(j), "using the downloaded %s %s", p->package, p->version);
		else
			gm_note(ctx_of(j), "the downloaded %s does not match the index's sha256, downloading "
				   "again", base);
		if (fetch_file_sized(url, dest, p->sha256, p->size, NULL, err) < 0)
			return -1;
		if (check_interrupted(err) < 0)
			return -1;
		cleanup_free char *apart = path_join(stage, SUITE_LIBS);
		bool away = strv_contains(j->apart, p->package);
		if ((away && mkdir_p(apart, 0755, err) < 0) ||
		    archive_extract_deb(dest, away ? apart : stage, err) < 0)
			return -1;
	}
	return 0;
}

/* Turns the extracted packages into a sysroot and fills *s. */
static int assemble(struct job *j, const char *stage, struct sysroot *s, struct gm_err **err)
{
	struct deb_layout l = {0};
	int r = -1;
	cleanup_free char *script = xasprintf("usr/lib/%s/libc.so", j->a->triplet);

	cleanup_free char *apart = path_join(stage, SUITE_LIBS);
	if ((path_is_dir(apart) && rootpath_fix_symlinks(apart, err) < 0) ||
	    rootpath_fix_symlinks(stage, err) < 0 || deblayout_add_usrmerge_links(stage, err) < 0)
		goto out;
	if (deblayout_find(stage, j->a, &l, err) < 0)
		goto out;
	if (deblayout_check_libc(stage, &l, j->a, j->glibc, err) < 0)
		goto out;
	if (deblayout_check_linker_script(stage, script, err) < 0)
		goto out;

	s->name = xstrdup(j->name);
	s->glibc_version = xstrdup(j->glibc);
	s->arch = xstrdup(j->a->gnu);
	s->origin = ORIGIN_DEBIAN;
	s->suite = xstrdup(j->suite);
	s->dir = xstrdup(j->final);
	s->prefix = xstrdup(j->final);
	/* Paths name the final place: the manifest is read after the rename. */
	s->loader = path_join(j->final, l.loader);
	for (size_t i = 0; l.libdirs[i]; i++)
		strv_push_take(&s->libdirs, path_join(j->final, l.libdirs[i]));
	for (size_t i = 0; l.includedirs[i]; i++)
		strv_push_take(&s->includedirs, path_join(j->final, l.includedirs[i]));
	s->source_sha256 = xstrdup(j->set.pkgs[0].sha256);
	s->configure_args = xcalloc(1, sizeof(char *));
	s->compiler = xstrdup("");
	s->package_version = xstrdup(j->set.pkgs[0].version);
	s->cache_key = xstrdup(j->cache_key);
	s->created = now_rfc3339();
	s->build_log = xstrdup("");
	s->signature = xstrdup(j->signature);
	s->packages = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < j->set.n; i++)
		strv_push_take(&s->packages, xasprintf("%s %s", j->set.pkgs[i].package,
							j->set.pkgs[i].version));
	s->with = strv_dup(j->with);
	s->suite_with = strv_dup(j->suite_with);
	s->suite_libdirs = xcalloc(1, sizeof(char *));
	const char *const dirs[] = {"lib", "usr/lib"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *rel = xasprintf("%s/%s/%s", SUITE_LIBS, dirs[i], j->a->triplet);
		cleanup_free char *at = path_join(stage, rel);
		if (path_is_dir(at))
			strv_push_take(&s->suite_libdirs, path_join(j->final, rel));
	}
	r = sysroot_write(stage, s, err);
out:
	deblayout_release(&l);
	return r;
}

/* An existing sysroot under our name must be this import's, or --name
 * collides with something else in the store. */
static int check_existing(struct job *j, const struct sysroot *s, struct gm_err **err)
{
	if (s->origin == ORIGIN_DEBIAN && strcmp(s->suite, j->suite) == 0 &&
	    strcmp(s->arch ? s->arch : "", j->a->gnu) == 0)
		return 0;
	cleanup_free char *origin = sysroot_origin_text(s);
	return gm_usage(err, "a sysroot named '%s' already exists (%s, %s); remove it or pick "
			     "another --name", j->name, origin, s->arch ? s->arch : "?");
}

/* Does the existing sysroot have what this import asks for?  An import by
 * an older importer (no package list) lacks the C++ runtime. */
static bool covers(const struct sysroot *s, char *const *with)
{
	if (!s->packages || !s->packages[0])
		return false;
	for (size_t i = 0; with && with[i]; i++) {
		bool have = false;
		for (size_t k = 0; s->packages[k] && !have; k++) {
			size_t n = strcspn(s->packages[k], " ");
			have = strlen(with[i]) == n && strncmp(s->packages[k], with[i], n) == 0;
		}
		if (!have)
			return false;
	}
	return true;
}

/* The suite's library table from the store, without the network: 1, 0
 * when there is none (or it cannot be read: it is made again). */
static int load_table(struct job *j)
{
	if (!j->downloads && store_dir(j->o->cfg, "downloads", &j->downloads, NULL) < 0)
		return 0;
	cleanup_free char *path = deblibs_table_path(j->downloads, j->suite, j->a->deb);
	j->have_table = debcontents_load(path, &j->table, NULL) == 0;
	return j->have_table;
}

/* The caller's view of the libraries it asked for. */
static void libs_out(struct job *j, const struct sysroot *s)
{
	/* What the sysroot still lacks, after every package that ships it (or,
	 * without the suite's Contents index, the policy's guess) went in. */
	if (j->o->ret_unshipped)
		*j->o->ret_unshipped = deblibs_lacking(s, j->o->libraries);
	if (!j->o->ret_shipped)
		return;
	if (!j->have_table)
		load_table(j);
	cleanup_strv char **owners =
		j->have_table ? NULL
			      : deblibs_host_owners(DPKG_INFO, j->a->triplet, j->o->libraries);
	*j->o->ret_shipped = deblibs_shipped(j->have_table ? &j->table : NULL, owners, s,
					     j->o->libraries);
}

/* Are the libraries asked for settled by s without the network: each is
 * held, or the suite's table (when in the store) says no package ships it?
 * Sets j->lacking and, when settled, j->unshipped. */
static bool libs_settled(struct job *j, const struct sysroot *s)
{
	strv_free(j->lacking);
	j->lacking = deblibs_lacking(s, j->o->libraries);
	strv_free(j->unshipped);
	j->unshipped = xcalloc(1, sizeof(char *));
	if (!j->lacking[0])
		return true;
	if (!j->have_table && load_table(j) <= 0)
		return false;
	for (size_t i = 0; j->lacking[i]; i++) {
		if (debcontents_find(&j->table, j->lacking[i]))
			return false;
		strv_push(&j->unshipped, j->lacking[i]);
	}
	return true;
}

/* *v becomes earlier's names, then those of *v not among them. */
static void merge_into(char ***v, char *const *earlier)
{
	char **merged = strv_dup(earlier);
	for (size_t i = 0; (*v)[i]; i++)
		if (!strv_contains(merged, (*v)[i]))
			strv_push(&merged, (*v)[i]);
	strv_free(*v);
	*v = merged;
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
	bool extend = have_old && !covers(&old, j->with);
	if (have_old) {
		/* What earlier imports were asked for comes first and stays. */
		merge_into(&j->with, old.with);
		merge_into(&j->suite_with, old.suite_with);
	}
	if (have_old && !j->o->refresh && !extend && libs_settled(j, &old)) {
		/* Someone else imported it while we waited for the lock. */
		*ret = old;
		*state = DEBIMPORT_CACHED;
		return 0;
	}
	if (!have_old)
		j->lacking = strv_dup(j->o->libraries);
	if (mirror_debian(j->o->cfg, &j->url, err) < 0 ||
	    (!j->downloads && store_dir(j->o->cfg, "downloads", &j->downloads, err) < 0))
		goto out;
	if (fetch_release(j, err) < 0 || check_release(j, err) < 0 ||
	    fetch_packages(j, &index, err) < 0 || choose_libraries(j, index, err) < 0)
		goto out;
	extend = have_old && (!covers(&old, j->with) || !covers(&old, j->suite_with));
	if (have_old && !j->o->refresh && !extend) {
		/* What it lacks, no package of the suite ships. */
		*ret = old;
		*state = DEBIMPORT_CACHED;
		return 0;
	}
	if (pick_packages(j, index, err) < 0)
		goto out;
	free(steal_pointer(&index)); /* 60 MB we no longer need */
	if (have_old && old.cache_key && strcmp(old.cache_key, j->cache_key) == 0) {
		*ret = old;
		*state = DEBIMPORT_UNCHANGED;
		return 0;
	}

	if (store_dir(j->o->cfg, "build", &build, err) < 0 ||
	    store_dir(j->o->cfg, "sysroots", &sysroots, err) < 0)
		goto out;
	bdir = xasprintf("%s/%s", build, j->name);
	stage = xasprintf("%s/%s/stage", build, j->name);
	if (rm_rf(stage, err) < 0 || mkdir_p(stage, 0755, err) < 0)
		goto out;
	if (fetch_and_extract(j, stage, err) < 0 || check_interrupted(err) < 0 ||
	    assemble(j, stage, &s, err) < 0 || check_interrupted(err) < 0 ||
	    store_publish(j->o->cfg, stage, j->final, err) < 0) {
		sysroot_release(&s);
		rm_rf(stage, NULL);
		rmdir(bdir); /* unless a from-source build left its log there */
		goto out;
	}
	rmdir(bdir);
	*ret = s;
	*state = extend ? DEBIMPORT_EXTENDED : have_old ? DEBIMPORT_REPLACED : DEBIMPORT_IMPORTED;
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
	j->final = sysroot_path(o->cfg, j->name);
	for (size_t i = 0; o->with && o->with[i]; i++)
		if (!debdeps_name_valid(o->with[i]))
			return gm_usage(err, "invalid package name '%s' for --with (Debian binary "
					"package names: [a-z0-9][a-z0-9+.-]+)", o->with[i]);
	j->with = strv_dup(o->with);
	j->suite_with = xcalloc(1, sizeof(char *));
	return 0;
}

char **debimport_shipped(const struct gm_config *cfg, const struct sysroot *s,
			 char *const *names)
{
	const struct gm_arch *a = arch_by_gnu(s->arch);
	struct debcontents t;
	cleanup_free char *downloads = NULL;
	if (!a || !s->suite || store_dir(cfg, "downloads", &downloads, NULL) < 0)
		return xcalloc(1, sizeof(char *));
	cleanup_free char *path = deblibs_table_path(downloads, s->suite, a->deb);
	bool table = debcontents_load(path, &t, NULL) == 0;
	cleanup_strv char **owners = table ? NULL : deblibs_host_owners(DPKG_INFO, a->triplet, names);
	char **v = deblibs_shipped(table ? &t : NULL, owners, s, names);
	if (table)
		debcontents_release(&t);
	return v;
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
		if (r == 0 && covers(ret, j.with) && libs_settled(&j, ret)) {
			*ret_state = DEBIMPORT_CACHED;
			libs_out(&j, ret);
			goto out;
		}
		sysroot_release(ret);
		if (r < 0)
			goto out;
		r = -1;
	}
	int fd;
	if (store_lock(opts->cfg, opts->ctx, j.name, &fd, err) < 0)
		goto out;
	r = import_locked(&j, ret, ret_state, err);
	if (r == 0)
		libs_out(&j, ret);
	/* A failed first import leaves no sysroot, and so no lock file. */
	store_unlock(opts->cfg, j.name, fd, !path_exists(j.final));
out:
	job_release(&j);
	return r;
}
