#define _GNU_SOURCE
#include "acquire/rootfs-build.h"
#include "acquire/debindex.h"
#include "acquire/deblayout.h"
#include "acquire/fetch.h"
#include "acquire/image.h"
#include "acquire/mirror.h"
#include "acquire/rootfs-glibc.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "exec/proc.h"
#include "store/rootpath.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Mount points every container needs in its tree: the runtime must not
 * create them in a root that is shared read-only. */
static const char *const mount_points[] = {"proc", "dev", "sys", "tmp", "gm", "gm-batch", NULL};

struct job {
	const struct gm_ctx *ctx;
	const struct rootfs_recipe *rec;  /* NULL for an import */
	char **with;   /* the packages --with asks for, with those the tree had */
	const char *name;
	const struct gm_arch *arch;
	char *build;   /* build/rootfs-<name> */
	char *stage;   /* build/stage */
	char *root;    /* stage/root */
	char *log;     /* build/build.log */
	char *final;   /* rootfs/<name> */
};

/* Mount points under dir, from /proc/self/mountinfo (octal escapes decoded). */
static char **mounts_under(const char *dir)
{
	char **v = xcalloc(1, sizeof(char *));
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return v;
	char *line = NULL;
	size_t cap = 0;
	size_t dl = strlen(dir);
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *mp = NULL;
		strtok_r(line, " ", &save);
		for (int i = 0; i < 4; i++)
			mp = strtok_r(NULL, " ", &save);
		if (!mp)
			continue;
		char *o = mp;
		for (char *p = mp; *p; p++) {
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 3;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		if (strncmp(mp, dir, dl) == 0 && (mp[dl] == '/' || mp[dl] == '\0'))
			strv_push(&v, mp);
	}
	free(line);
	return v;
}

/* A killed mmdebstrap (--mode=root) can leave /proc, /sys or a bind mount
 * of the host's /dev mounted in its tree: deleting the tree would then
 * delete host files.  Unmount them, deepest (latest) first. */
static int unmount_under(const char *dir, struct gm_err **err)
{
	cleanup_strv char **v = mounts_under(dir);
	for (size_t n = strv_len(v); n > 0; n--)
		if (umount2(v[n - 1], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			return gm_infra(err, errno, "cannot unmount '%s' left by a killed build",
					v[n - 1]);
	cleanup_strv char **left = mounts_under(dir);
	if (strv_len(left))
		return gm_infra(err, 0, "'%s' is still mounted; not deleting its tree", left[0]);
	return 0;
}

static int clear_build(struct job *j, struct gm_err **err)
{
	if (unmount_under(j->build, err) < 0)
		return -1;
	return rm_rf(j->build, err);
}

static void job_release(struct job *j)
{
	free(j->build);
	free(j->stage);
	free(j->root);
	free(j->log);
	free(j->final);
	strv_free(j->with);
}

static int run_logged(struct job *j, char **argv, double timeout_s, const char *what,
		      struct gm_err **err)
{
	cleanup_close int log = open(j->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log < 0)
		return gm_infra(err, errno, "cannot open '%s'", j->log);
	/* Temporaries (mmdebstrap's gpg home, apt lists) inside the build
	 * directory: a killed build cannot leave them in /tmp. */
	cleanup_free char *tmp = path_join(j->build, "tmp");
	cleanup_free char *tmpenv = xasprintf("TMPDIR=%s", tmp);
	if (mkdir_p(tmp, 0700, err) < 0)
		return -1;
	struct proc_spec spec = {
		.argv = argv,
		.env = (char *const[]){"LC_ALL=C", tmpenv, NULL},
		.timeout_s = timeout_s,
		.merge_stderr = true,
		.log_fd = log,
		.stdin_fd = -1,
		.sweep_orphans = true,
	};
	struct proc_result res = {0};
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = 0;
	if (res.interrupted) {
		r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "%s interrupted", what);
	} else if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		cleanup_free char *tail = file_tail(j->log, 8);
		r = gm_infra(err, 0, "%s failed (%s); log %s:\n%s", what, how, j->log, tail);
	}
	proc_result_release(&res);
	return r;
}

/* The suite's Release Date: the part of the key that moves when the suite
 * does.  Not verified here: mmdebstrap verifies everything it installs
 * against the archive keyring, and a forged date only costs a rebuild. */
static int suite_date(const char *url, const char *suite, char **ret, struct gm_err **err)
{
	cleanup_free char *rel_url = xasprintf("%s/dists/%s/Release", url, suite);
	cleanup_free char *text = NULL;
	size_t len;
	if (fetch_mem(rel_url, 16u << 20, &text, &len, err) < 0) {
		if ((*err)->sys_errno == ENOENT) {
			gm_err_free(err);
			return gm_usage(err, "no suite '%s' in the Debian archive", suite);
		}
		return gm_err_wrap(err, "Release file of %s", suite);
	}
	*ret = debindex_release_field(text, "Date");
	if (!*ret)
		return gm_infra(err, 0, "the Release file of %s has no Date", suite);
	return 0;
}

/* Where mmdebstrap keeps its hooks (the Debian package's place). */
#define MMDEBSTRAP_HOOKS "/usr/share/mmdebstrap/hooks"

static int build_debian(struct job *j, const char *url, struct gm_err **err)
{
	cleanup_free char *variant = xasprintf("--variant=%s", j->rec->variant);
	cleanup_free char *arch = xasprintf("--architectures=%s", j->arch->deb);
	cleanup_strv char **argv = xcalloc(1, sizeof(char *));
	strv_push(&argv, "mmdebstrap");
	strv_push(&argv, "--mode=root");
	strv_push(&argv, variant);
	strv_push(&argv, arch);
	/* merged: /bin, /sbin and /lib* links into /usr made before anything
	 * is unpacked, and usr-is-merged installed: what debootstrap does
	 * (and so the official images, made by debuerreotype with it) for
	 * bookworm and later.  split: nothing; the suites before bookworm
	 * stay split, and the result is checked below either way. */
	if (strcmp(j->rec->usr, "merged") == 0)
		strv_push(&argv, "--hook-dir=" MMDEBSTRAP_HOOKS "/merged-usr");
	/* Mirrors may serve a suite whose Release is past its Valid-Until
	 * (sid's, on the snapshot this machine uses): apt still checks its
	 * signature; sysroot import accepts it the same way, with a warning. */
	strv_push(&argv, "--aptopt=Acquire::Check-Valid-Until \"false\"");
	for (size_t i = 0; j->rec->packages[i]; i++)
		strv_push_take(&argv, xasprintf("--include=%s", j->rec->packages[i]));
	for (size_t i = 0; j->with[i]; i++)
		strv_push_take(&argv, xasprintf("--include=%s", j->with[i]));
	strv_push(&argv, j->rec->suite);
	strv_push(&argv, j->root);
	strv_push(&argv, url);
	gm_note(j->ctx, "rootfs %s: mmdebstrap %s (%s, %s)", j->name, j->rec->suite,
		j->rec->variant, j->arch->deb);
	if (run_logged(j, argv, 900, "mmdebstrap", err) < 0)
		return -1;
	if (strcmp(j->rec->usr, "-") != 0) {
		cleanup_free char *lib = path_join(j->root, "lib");
		struct stat st;
		bool merged = lstat(lib, &st) == 0 && S_ISLNK(st.st_mode);
		if (merged != (strcmp(j->rec->usr, "merged") == 0))
			return gm_infra(err, 0, "rootfs %s: the recipe says usr %s, but mmdebstrap made "
					"/lib %s", j->name, j->rec->usr, merged ? "a link" : "a directory");
		return 0;
	}
	/* Trixie's packages ship /usr/lib only; the usrmerge links come from
	 * packages an extract does not configure.  Without /lib64 nothing
	 * dynamic starts (PT_INTERP is /lib64/ld-linux-x86-64.so.2). */
	return deblayout_add_usrmerge_links(j->root, err);
}

/* The host's busybox must be the static one (busybox-static): the tree
 * has no loader for a dynamic one. */
static int busybox_check(const char *bb, struct gm_err **err)
{
	struct elf_info info = {0};
	int r = elf_info_read(bb, &info, err);
	if (r < 0)
		return -1;
	bool dynamic = r > 0 && (info.interp || info.dynamic);
	if (r > 0)
		elf_info_release(&info);
	if (r == 0 || dynamic)
		return gm_infra(err, 0, "'%s' is not a static busybox (install busybox-static)", bb);
	return 0;
}

static int build_busybox(struct job *j, const char *bb, struct gm_err **err)
{
	gm_note(j->ctx, "rootfs %s: %s and its applet links", j->name, bb);
	cleanup_free char *bin = path_join(j->root, "bin");
	cleanup_free char *dst = path_join(bin, "busybox");
	if (mkdir_p(bin, 0755, err) < 0 || copy_file(bb, dst, err) < 0)
		return -1;
	/* Its own list of applets: the host's binary, not one from the tree. */
	struct proc_spec spec = {
		.argv = (char *const[]){(char *)bb, "--list-full", NULL},
		.timeout_s = 30,
		.capture_max = 1 << 20,
		.stdin_fd = -1,
	};
	struct proc_result res = {0};
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		proc_result_release(&res);
		return gm_infra(err, 0, "'%s --list-full' failed (%s)", bb, how);
	}
	int r = 0;
	char *save = NULL;
	for (char *l = strtok_r(res.out, "\n", &save); l && r == 0; l = strtok_r(NULL, "\n", &save)) {
		if (!*l || *l == '/' || strstr(l, "..") || strcmp(l, "bin/busybox") == 0)
			continue;
		cleanup_free char *link = path_join(j->root, l);
		cleanup_free char *dir = xstrdup(link);
		*strrchr(dir, '/') = '\0';
		if (mkdir_p(dir, 0755, err) < 0)
			r = -1;
		else if (symlink("/bin/busybox", link) < 0 && errno != EEXIST)
			r = gm_infra(err, errno, "cannot link '%s'", link);
	}
	proc_result_release(&res);
	return r;
}

/* A tree of a glibc from source in RHEL's layout (acquire/rootfs-glibc.h)
 * with the host's busybox for a shell (RHEL's is bash; an applet never
 * replaces one of glibc's programs). */
static int build_glibc(struct job *j, struct gm_err **err)
{
	cleanup_free char *work = path_join(j->build, "glibc");
	cleanup_free char *keep = xasprintf("%s.glibc.log", j->build);
	if (rootfs_glibc_tree(j->ctx, j->rec->glibc, j->root, work, keep, err) < 0)
		return -1;
	unlink(keep);
	return build_busybox(j, j->ctx->cfg->busybox, err);
}

/* libc.so.6 in the tree, resolved inside it; NULL if there is none. */
static char *find_libc(const char *root, const struct gm_arch *a)
{
	cleanup_free char *c1 = xasprintf("lib/%s/libc.so.6", a->triplet);
	cleanup_free char *c2 = xasprintf("usr/lib/%s/libc.so.6", a->triplet);
	const char *cands[] = {c1, c2, "lib64/libc.so.6", "usr/lib64/libc.so.6", "lib/libc.so.6"};
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		char *canon = rootpath_resolve(root, cands[i]);
		if (canon) {
			cleanup_free char *host = path_join(root, canon);
			if (path_is_file(host))
				return canon;
			free(canon);
		}
	}
	return NULL;
}

/* The files every image has (runtimes and base-passwd's postinst, which an
 * extract does not run, write them): without them getpwnam("root") and
 * getaddrinfo("localhost") fail in every tree, which says nothing about
 * glibc. */
static const struct {
	const char *path, *text;
} accounts[] = {
	{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
		       "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
	{"etc/group", "root:x:0:\nnogroup:x:65534:\n"},
	{"etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
};

static int finish(struct job *j, struct rootfs *r, double t0, struct gm_err **err)
{
	for (size_t i = 0; mount_points[i]; i++) {
		cleanup_free char *d = path_join(j->root, mount_points[i]);
		if (mkdir_p(d, 0755, err) < 0)
			return -1;
	}
	/* An imported image is kept as it is (a runtime gives it /etc/hosts
	 * the way it gives any image one). */
	cleanup_free char *etc = path_join(j->root, "etc");
	for (size_t i = 0; j->rec && i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		cleanup_free char *f = path_join(j->root, accounts[i].path);
		if (!path_exists(f) && (mkdir_p(etc, 0755, err) < 0 ||
					write_file_atomic(f, accounts[i].text, strlen(accounts[i].text),
							  0644, err) < 0))
			return -1;
	}
	cleanup_free char *lib = path_join(j->root, "lib");
	struct stat lst;
	r->usr = xstrdup(lstat(lib, &lst) == 0 && S_ISLNK(lst.st_mode) ? "merged" : "split");
	cleanup_free char *libc = find_libc(j->root, j->arch);
	if (libc) {
		cleanup_free char *host = path_join(j->root, libc);
		int g = glibc_libc_version(host, &r->glibc_version, &r->glibc_node, err);
		if (g < 0)
			return gm_err_wrap(err, "rootfs %s", j->name);
		if (g == 0)
			return gm_infra(err, 0, "rootfs %s: '%s' defines no GLIBC_x.y node",
					j->name, libc);
		r->libc = xasprintf("/%s", libc);
	} else {
		r->glibc_version = xstrdup("none");
		r->glibc_node = xstrdup("none");
		r->libc = xstrdup("");
	}
	cleanup_free char *tar = path_join(j->stage, "rootfs.tar");
	gm_note(j->ctx, "rootfs %s: packing %s", j->name, tar);
	char *argv[] = {"tar", "--numeric-owner", "--sort=name", "-C", j->root, "-cf", tar, ".",
			NULL};
	if (run_logged(j, argv, 300, "tar", err) < 0)
		return -1;
	struct stat st;
	r->size = stat(tar, &st) == 0 ? (long long)st.st_size : 0;
	r->name = xstrdup(j->name);
	r->arch = xstrdup(j->arch->gnu);
	r->created = now_rfc3339();
	r->build_seconds = now_seconds() - t0;
	if (rootfs_write_manifest(j->stage, r, err) < 0)
		return -1;
	if (interrupted())
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "rootfs %s interrupted",
				  j->rec ? "build" : "import");
	return store_publish(j->ctx->cfg, j->stage, j->final, err);
}

static int build_locked(struct job *j, bool refresh, struct rootfs *ret, bool *ret_cached,
			struct gm_err **err)
{
	double t0 = now_seconds();
	struct rootfs r = {0};
	cleanup_free char *url = NULL;
	bool busybox = strcmp(j->rec->variant, "busybox") == 0;
	if (busybox || j->rec->glibc) {
		char hex[65];
		cleanup_free char *glibc = NULL;
		if (busybox_check(j->ctx->cfg->busybox, err) < 0 ||
		    sha256_file(j->ctx->cfg->busybox, hex, err) < 0 ||
		    (j->rec->glibc && rootfs_glibc_source(j->ctx->cfg, j->rec->glibc, &glibc, err) < 0))
			return -1;
		r.source_date = xasprintf("%s%sbusybox sha256 %s", glibc ? glibc : "",
					  glibc ? "; " : "", hex);
	}
	struct rootfs old = {0};
	int have = rootfs_load(j->ctx->cfg, j->name, &old, NULL);
	/* --with adds to what the tree had: a later build without it keeps
	 * the subject's packages. */
	bool has_with = true;
	for (size_t i = 0; have == 1 && old.with && old.with[i]; i++)
		if (!strv_contains(j->with, old.with[i]))
			strv_push(&j->with, old.with[i]);
	for (size_t i = 0; have == 1 && j->with[i]; i++)
		has_with &= strv_contains(old.with, j->with[i]);
	if (!busybox && !j->rec->glibc &&
	    (mirror_debian(j->ctx->cfg, &url, err) < 0 || suite_date(url, j->rec->suite, &r.source_date, err) < 0)) {
		/* Offline, the tree we have is still the best answer; an unknown
		 * suite or --refresh is not. */
		if (have != 1 || refresh || !has_with || (*err)->code != GM_EXIT_INFRA) {
			if (have == 1)
				rootfs_release(&old);
			return -1;
		}
		gm_note(j->ctx, "rootfs %s: cannot check whether %s changed (%s); using the one built %s",
			j->name, j->rec->suite, (*err)->msg, old.created);
		gm_err_free(err);
		*ret = old;
		*ret_cached = true;
		return 0;
	}
	r.key = rootfs_key(j->rec, j->with, j->arch->gnu, r.source_date);
	r.suite = xstrdup(j->rec->suite ? j->rec->suite : "-");
	r.variant = xstrdup(j->rec->variant);
	r.packages = strv_dup(j->rec->packages);
	for (size_t i = 0; j->with[i]; i++)
		if (!strv_contains(r.packages, j->with[i]))
			strv_push(&r.packages, j->with[i]);
	r.with = strv_dup(j->with);
	r.source = xstrdup("");

	if (have == 1 && !refresh && strcmp(old.key, r.key) == 0) {
		rootfs_release(&r);
		*ret = old;
		*ret_cached = true;
		return 0;
	}
	if (have == 1)
		rootfs_release(&old);

	int rc = -1;
	if (clear_build(j, err) < 0 || mkdir_p(j->stage, 0755, err) < 0)
		goto out;
	if (busybox ? build_busybox(j, j->ctx->cfg->busybox, err)
	    : j->rec->glibc ? build_glibc(j, err)
			    : build_debian(j, url, err))
		goto out;
	if (finish(j, &r, t0, err) < 0)
		goto out;
	rc = 0;
out:
	/* Success or not, nothing of the build stays (the log goes too: a
	 * failure's tail is in the error message). */
	if (clear_build(j, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -1;
	if (rc < 0) {
		rootfs_release(&r);
		return -1;
	}
	if (rootfs_load(j->ctx->cfg, j->name, ret, err) != 1) {
		rootfs_release(&r);
		return gm_infra(err, 0, "rootfs %s vanished after its build", j->name);
	}
	rootfs_release(&r);
	*ret_cached = false;
	return 0;
}

static int job_init(struct job *j, const struct gm_ctx *ctx, const char *name, struct gm_err **err)
{
	j->ctx = ctx;
	/* A recipe of another architecture is unpacked for it (the extract
	 * variant runs nothing inside the tree, so no emulator is needed to
	 * build it; running it takes binfmt_misc, container/binfmt.h). */
	j->arch = j->rec && j->rec->arch ? arch_by_deb(j->rec->arch) : arch_host();
	if (!j->arch)
		return gm_infra(err, 0, "this machine's architecture is not in the arch table");
	cleanup_free char *builds = NULL, *roots = NULL;
	if (store_dir(ctx->cfg, "build", &builds, err) < 0 ||
	    store_dir(ctx->cfg, "rootfs", &roots, err) < 0)
		return -1;
	j->build = xasprintf("%s/rootfs-%s", builds, name);
	j->stage = path_join(j->build, "stage");
	j->root = path_join(j->stage, "root");
	j->log = path_join(j->build, "build.log");
	j->final = path_join(roots, name);
	return 0;
}

int rootfs_build(const struct gm_ctx *ctx, const struct rootfs_recipe *rec, char *const *with,
		 bool refresh, struct rootfs *ret, bool *ret_cached, struct gm_err **err)
{
	struct job j = {.rec = rec, .name = rec->name, .with = strv_dup(with)};
	cleanup_free char *lock = xasprintf("rootfs-%s", rec->name);
	int fd = -1, r = -1;
	if (job_init(&j, ctx, rec->name, err) < 0 || store_lock(ctx->cfg, ctx, lock, &fd, err) < 0)
		goto out;
	r = build_locked(&j, refresh, ret, ret_cached, err);
	store_unlock(ctx->cfg, lock, fd, !path_exists(j.final));
out:
	job_release(&j);
	return r;
}

int rootfs_remove(const struct gm_ctx *ctx, const char *name, bool *ret_missing,
		  struct gm_err **err)
{
	struct job j = {.name = name};
	cleanup_free char *lock = xasprintf("rootfs-%s", name);
	int fd = -1, r = -1;
	*ret_missing = false;
	if (job_init(&j, ctx, name, err) < 0 || store_lock(ctx->cfg, ctx, lock, &fd, err) < 0)
		goto out;
	r = 0;
	if (!path_exists(j.final))
		*ret_missing = true;
	else
		r = store_discard(ctx->cfg, j.final, err);
	if (r == 0)
		r = clear_build(&j, err);
	store_unlock(ctx->cfg, lock, fd, !path_exists(j.final));
out:
	job_release(&j);
	return r;
}

static int import_locked(struct job *j, const char *source, char *const *podman,
			 struct rootfs *ret, struct gm_err **err)
{
	double t0 = now_seconds();
	struct rootfs r = {0};
	struct image_info info = {0};
	cleanup_free char *work = path_join(j->build, "work");
	int rc = -1;
	if (clear_build(j, err) < 0 || mkdir_p(j->root, 0755, err) < 0 || mkdir_p(work, 0700, err) < 0)
		goto out;
	if (image_unpack(j->ctx, source, j->root, work, podman, j->arch->deb, &info, err) < 0)
		goto out;
	/* The image's files are all in the tree: its blobs need not wait for
	 * the tarball's copy beside them. */
	if (rm_rf(work, err) < 0)
		goto out;
	r.suite = xstrdup("-");
	r.variant = xstrdup("image");
	r.packages = xcalloc(1, sizeof(char *));
	r.with = xcalloc(1, sizeof(char *));
	r.source = xstrdup(source);
	r.source_date = xstrdup(info.digest);
	r.key = xstrndup(info.digest + 7, 16);
	gm_note(j->ctx, "rootfs %s: %s (%s, %zu layers)", j->name, source, info.digest, info.layers);
	if (finish(j, &r, t0, err) < 0)
		goto out;
	rc = 0;
out:
	image_info_release(&info);
	rootfs_release(&r);
	if (clear_build(j, rc < 0 ? NULL : err) < 0 && rc == 0)
		rc = -1;
	if (rc == 0 && rootfs_load(j->ctx->cfg, j->name, ret, err) != 1)
		rc = gm_infra(err, 0, "rootfs %s vanished after its import", j->name);
	return rc;
}

int rootfs_import(const struct gm_ctx *ctx, const char *name, const char *source,
		  char *const *podman, struct rootfs *ret, struct gm_err **err)
{
	struct job j = {.name = name, .with = xcalloc(1, sizeof(char *))};
	cleanup_free char *lock = xasprintf("rootfs-%s", name);
	int fd = -1, r = -1;
	if (job_init(&j, ctx, name, err) < 0 || store_lock(ctx->cfg, ctx, lock, &fd, err) < 0)
		goto out;
	r = import_locked(&j, source, podman, ret, err);
	store_unlock(ctx->cfg, lock, fd, !path_exists(j.final));
out:
	job_release(&j);
	return r;
}
