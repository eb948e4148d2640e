#define _GNU_SOURCE
#include "acquire/build-int.h"
#include "base/arch.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "acquire/fetch.h"
#include "exec/proc.h"
#include "base/progress.h"
#include "store/recipes.h"
#include "store/store.h"
#include "probes/toolchain.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


static void build_release(struct build *b)
{
	free(b->version);
	free(b->source_sha256);
	free(b->tarball);
	free(b->url);
	free(b->tree);
	free(b->builddir);
	free(b->src);
	free(b->obj);
	free(b->stage);
	free(b->log);
	free(b->compiler);
	free(b->arch);
	free(b->emulator);
	free(b->triplet);
	free(b->tmpdir);
	strv_free(b->configure_args);
	quirks_release(&b->quirks);
	if (b->log_fd >= 0)
		close(b->log_fd);
	/* A failed build leaves no sysroot, and so no lock file. */
	store_unlock(b->cfg, b->name, b->lock_fd, b->final && !path_exists(b->final));
	free(b->final);
	free(b->name);
}

static void compute_key(struct build *b)
{
	cleanup_free char *text = xasprintf("glibc-matrix build v1\nsource %s\nversion %s\n"
					    "compiler %s\narch %s\n",
					    b->source_sha256, b->version, b->compiler, b->arch);
	for (size_t i = 0; b->configure_args[i]; i++) {
		char *t = xasprintf("%sarg %s\n", text, b->configure_args[i]);
		free(text);
		text = t;
	}
	for (size_t i = 0; b->quirks.applied[i]; i++) {
		char *t = xasprintf("%squirk %s\n", text, b->quirks.applied[i]);
		free(text);
		text = t;
	}
	sha256_buf(text, strlen(text), b->cache_key);
}

void build_log(struct build *b, const char *fmt, ...)
{
	va_list ap;
	if (b->log_fd < 0)
		return;
	va_start(ap, fmt);
	vdprintf(b->log_fd, fmt, ap);
	va_end(ap);
	dprintf(b->log_fd, "\n");
}

static void on_output(void *p, const char *line, size_t len)
{
	struct build *b = p;
	(void)len;
	/* A compile line: "gcc ... -c ... -o obj/x.o" (glibc echoes each). */
	if (strstr(line, " -c ") && strstr(line, " -o "))
		progress_tick(&b->progress);
}

static void on_start(void *p, int pid)
{
	struct build *b = p;
	store_lock_note_group(b->lock_fd, pid);
}

/* Runs one build step; a failure names the phase and shows the log's tail. */
int build_step(struct build *b, const char *phase, char **argv, const char *cwd,
		    struct gm_err **err)
{
	cleanup_free char *tmp = b->tmpdir ? xasprintf("TMPDIR=%s", b->tmpdir) : NULL;
	char *env[] = {"LC_ALL=C", "LANG", "LD_LIBRARY_PATH", "LD_PRELOAD",
		       "GCONV_PATH", "LOCPATH", tmp, NULL};
	struct proc_spec spec = {
		.argv = argv, .env = env, .cwd = cwd, .merge_stderr = true, .log_fd = b->log_fd,
		.stdin_fd = -1, .on_line = on_output, .on_start = on_start, .ctx = b,
		.writable = b->usr_root ? b->confine_rw : NULL,
	};
	struct proc_result res;

	b->phase = phase;
	progress_phase(&b->progress, phase, strcmp(phase, "make") == 0 ? "files compiled" : NULL);
	dprintf(b->log_fd, "\n== %s:", phase);
	for (size_t i = 0; argv[i]; i++)
		dprintf(b->log_fd, " %s", argv[i]);
	dprintf(b->log_fd, "\n");
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = 0;
	if (res.interrupted) {
		r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted during '%s'", phase);
	} else if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		build_log(b, "== %s failed: %s", phase, how);
		progress_done(&b->progress);
		cleanup_free char *tail = file_tail(b->log, 30);
		r = gm_infra(err, 0, "building glibc %s failed in '%s' (%s); last lines of the log:\n%s\n"
				     "full log: %s",
			     b->version, phase, how, tail, b->log);
	}
	proc_result_release(&res);
	return r;
}

static int write_text(const char *path, const char *text, struct gm_err **err)
{
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

/* One replace quirk: every occurrence of old in the file, which must be a
 * regular file inside the private copy (symbolic links are not followed
 * out of it); its mode is kept (configure stays executable). */
static int apply_replace(struct build *b, const struct quirk_replace *q, struct gm_err **err)
{
	cleanup_free char *path = path_join(b->src, q->file);
	cleanup_free char *real = realpath(path, NULL);
	cleanup_free char *root = realpath(b->src, NULL);
	cleanup_free char *text = NULL;
	struct strbuf out = STRBUF_INIT;
	struct stat st;
	size_t hits = 0;

	if (!real || !root || !str_starts(real, root) || real[strlen(root)] != '/' ||
	    stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return gm_infra(err, 0, "quirk replace: '%s' is not a regular file inside the source copy '%s'",
				q->file, b->src);
	if (read_file(real, &text, NULL, err) < 0)
		return -1;
	for (const char *p = text, *hit; *p; p = hit + strlen(q->old)) {
		if (!(hit = strstr(p, q->old))) {
			strbuf_add(&out, p, strlen(p));
			break;
		}
		strbuf_add(&out, p, (size_t)(hit - p));
		strbuf_add(&out, q->new_text, strlen(q->new_text));
		hits++;
	}
	if (hits == 0) {
		strbuf_release(&out);
		return gm_infra(err, 0, "quirk replace: '%s' does not contain '%s' (is the quirk meant "
				"for this version?)", q->file, q->old);
	}
	int r = write_file_atomic(real, out.buf ? out.buf : "", out.len, st.st_mode & 07777, err);
	strbuf_release(&out);
	if (r == 0)
		build_log(b, "== quirk: replaced %zu occurrence(s) in %s", hits, q->file);
	return r;
}

/* Applies the quirks to the private source copy. */
static int apply_quirks(struct build *b, struct gm_err **err)
{
	for (size_t i = 0; i < b->quirks.n_replace; i++)
		if (apply_replace(b, &b->quirks.replace[i], err) < 0)
			return -1;
	cleanup_free char *manual = path_join(b->src, "manual");
	if (b->quirks.stub_manual && !path_exists(manual)) {
		cleanup_free char *mk = path_join(manual, "Makefile");
		if (mkdir_p(manual, 0755, err) < 0 ||
		    write_text(mk, "subdir := manual\ninclude ../Makeconfig\ninclude ../Rules\n", err) < 0)
			return -1;
		build_log(b, "== quirk: stub manual/Makefile");
	}
	if (b->quirks.errno_texi) {
		cleanup_free char *texi = path_join(manual, "errno.texi");
		cleanup_free char *errlist = path_join(b->src, "sysdeps/gnu/errlist.c");
		struct stat st;
		if (!path_exists(texi)) {
			if (mkdir_p(manual, 0755, err) < 0 || write_text(texi, "", err) < 0)
				return -1;
			/* Older than errlist.c, or make would regenerate errlist.c
			 * from it with tools the build does not have. */
			if (stat(errlist, &st) == 0) {
				struct timespec ts[2] = {st.st_mtim, st.st_mtim};
				ts[0].tv_sec -= 3600;
				ts[1].tv_sec -= 3600;
				utimensat(AT_FDCWD, texi, ts, 0);
			}
			build_log(b, "== quirk: empty manual/errno.texi older than errlist.c");
		}
	}
	return 0;
}

static void cleanup_work(struct build *b)
{
	rm_rf(b->src, NULL);
	rm_rf(b->obj, NULL);
	rm_rf(b->stage, NULL);
}

static int nproc(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* The number of files the last build of this version compiled: with it the
 * progress line can show a percentage.  save=true records this build's. */
static long expected_files(struct build *b, bool save)
{
	cleanup_free char *dir = NULL;
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	if (store_dir(b->cfg, "build/.stats", &dir, NULL) < 0)
		return 0;
	path = xasprintf("%s/%s.%s.files", dir, b->version, b->arch);
	if (save) {
		cleanup_free char *n = xasprintf("%ld\n", b->progress.count);
		write_file_atomic(path, n, strlen(n), 0644, NULL);
		return b->progress.count;
	}
	if (read_file(path, &text, NULL, NULL) < 0)
		return 0;
	return strtol(text, NULL, 10);
}

static int do_build(struct build *b, struct sysroot *ret, struct gm_err **err)
{
	cleanup_free char *configure = NULL;
	cleanup_free char *prefix = xasprintf("--prefix=%s", b->usr_root ? "/usr" : b->final);
	cleanup_free char *jobs = xasprintf("-j%d", b->opts->jobs > 0 ? b->opts->jobs : nproc());
	cleanup_free char *destdir = NULL;
	cleanup_free char *install_root = NULL;
	cleanup_strv char **conf = NULL;

	if (rm_rf(b->builddir, err) < 0 || mkdir_p(b->builddir, 0755, err) < 0 ||
	    (b->tmpdir && mkdir_p(b->tmpdir, 0700, err) < 0))
		return -1;
	b->log_fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (b->log_fd < 0)
		return gm_infra(err, errno, "cannot create '%s'", b->log);
	build_log(b, "glibc-matrix: building glibc %s as '%s'\nsource: %s\nsha256: %s\n"
		    "compiler: %s\ncache key: %s",
		 b->version, b->name, b->tree ? b->tree : b->tarball, b->source_sha256,
		 b->compiler, b->cache_key);
	for (size_t i = 0; b->quirks.applied[i]; i++)
		build_log(b, "quirk: %s", b->quirks.applied[i]);

	if (build_fetch_source(b, err) < 0 || apply_quirks(b, err) < 0 ||
	    mkdir_p(b->obj, 0755, err) < 0)
		return -1;

	configure = path_join(b->src, "configure");
	strv_push(&conf, configure);
	strv_push(&conf, prefix);
	for (size_t i = 0; b->configure_args[i]; i++)
		strv_push(&conf, b->configure_args[i]);
	if (build_step(b, "configure", conf, b->obj, err) < 0)
		return -1;

	char *make[] = {"make", jobs, NULL};
	b->progress.expected = expected_files(b, false);
	if (build_step(b, "make", make, b->obj, err) < 0)
		return -1;
	expected_files(b, true);

	const char *dest = b->usr_root ? b->usr_root : b->stage;
	destdir = xasprintf("DESTDIR=%s", dest);
	install_root = xasprintf("install_root=%s", dest);
	char *install[] = {"make", jobs, "install", destdir, install_root, NULL};
	if (build_step(b, "install", install, b->obj, err) < 0)
		return -1;
	return b->usr_root ? 0 : build_publish(b, ret, err);
}

int build_download_only(const struct gm_config *cfg, const char *input, char **ret,
			struct gm_err **err)
{
	struct build_opts opts = {.input = input};
	struct build b;
	int r = 0;

	memset(&b, 0, sizeof(b));
	b.opts = &opts;
	b.cfg = cfg;
	b.log_fd = b.lock_fd = -1;
	if (build_resolve_input(&b, err) < 0)
		r = -1;
	else if (!b.tarball)
		r = gm_usage(err, "'%s' is a source tree; there is nothing to download", input);
	else if (b.url && fetch_file(b.url, b.tarball, b.source_sha256, NULL, err) < 0)
		r = -1;
	if (r == 0)
		*ret = xstrdup(b.tarball);
	build_release(&b);
	return r;
}

/* A cross build: Debian's cross compiler for the target (its version is
 * the key's compiler), configure told which machine it builds for and on,
 * and the emulator that will run the verification, all found before any
 * download so a machine without them says so at once (exit 77). */
static int cross_setup(struct build *b, const struct gm_arch *t, struct gm_err **err)
{
	cleanup_free char *cc = xasprintf("%s-gcc", t->triplet);
	cleanup_free char *cxx = xasprintf("%s-g++", t->triplet);
	cleanup_free char *cc_path = fs_find_program(cc);
	if (!cc_path)
		return gm_err_set(err, GM_EXIT_SKIP, 0,
				  "no %s in PATH to cross-build glibc for %s (Debian package "
				  "gcc-%s)", cc, t->gnu, t->triplet);
	b->emulator = arch_emulator(t);
	if (!b->emulator)
		return gm_err_set(err, GM_EXIT_SKIP, 0,
				  "no %s in PATH to verify a glibc built for %s (Debian package "
				  "qemu-user-static)", t->qemu, t->gnu);
	if (compiler_version_of(cc, &b->compiler, err) < 0)
		return -1;
	b->configure_args = xcalloc(1, sizeof(char *));
	strv_push_take(&b->configure_args, xasprintf("--host=%s", t->triplet));
	strv_push_take(&b->configure_args, xasprintf("--build=%s", arch_host()->triplet));
	strv_push_take(&b->configure_args, xasprintf("CC=%s", cc));
	strv_push_take(&b->configure_args, xasprintf("CXX=%s", cxx));
	b->triplet = xstrdup(t->triplet);
	return 0;
}

/* The quirks' configure arguments, then the user's; a --prefix is refused
 * (the sysroot's own path is the prefix). */
static int add_configure_args(struct build *b, const struct build_opts *opts, struct gm_err **err)
{
	if (!b->configure_args)
		b->configure_args = xcalloc(1, sizeof(char *));
	for (size_t i = 0; b->quirks.configure_args[i]; i++)
		strv_push(&b->configure_args, b->quirks.configure_args[i]);
	for (size_t i = 0; opts->configure_args && opts->configure_args[i]; i++) {
		if (str_starts(opts->configure_args[i], "--prefix"))
			return gm_usage(err, "--configure-arg '%s': the prefix is the sysroot's own path",
					opts->configure_args[i]);
		strv_push(&b->configure_args, opts->configure_args[i]);
	}
	return 0;
}

/* glibc-VERSION for the known release as released, else with the cache
 * key's start; a cross-built glibc carries its architecture in the name,
 * as the imports do (debian-trixie-arm64). */
static char *default_name(const struct build *b, const struct build_opts *opts,
			  const struct gm_arch *target)
{
	struct recipe rec;
	bool pristine = !strv_len(opts->configure_args) &&
			recipes_find(b->cfg, b->version, &rec, NULL) == 1 &&
			strcmp(rec.sha256, b->source_sha256) == 0;
	if (pristine)
		recipe_release(&rec);
	cleanup_free char *suffix = b->cross ? xasprintf("-%s", target->deb) : xstrdup("");
	return pristine ? xasprintf("glibc-%s%s", b->version, suffix)
			: xasprintf("glibc-%s%s-%.8s", b->version, suffix, b->cache_key);
}

/* A step that failed because of Ctrl-C is an interruption (exit 130), not
 * the failure the dying step reported. */
static void as_interrupted(const struct build *b, struct gm_err **err)
{
	if (!interrupted() || (*err && (*err)->code == GM_EXIT_INTERRUPTED))
		return;
	gm_err_free(err);
	gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted during '%s'",
		   b->phase ? b->phase : "setup");
}

int build_sysroot(const struct gm_ctx *ctx, const struct build_opts *opts, struct sysroot *ret,
		  bool *ret_cached, struct gm_err **err)
{
	struct build b;
	int r;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.cfg = ctx->cfg;
	b.opts = opts;
	b.log_fd = b.lock_fd = -1;
	*ret_cached = false;

	if (!arch_host()) {
		build_release(&b);
		return gm_err_set(err, GM_EXIT_SKIP, 0,
				  "this machine's architecture is not one glibc-matrix knows (%s)",
				  arch_proven_debs());
	}
	const struct gm_arch *target = opts->arch ? arch_by_gnu(opts->arch) : arch_host();
	if (!target) {
		build_release(&b);
		return gm_usage(err, "--arch '%s': not an architecture glibc-matrix knows",
				opts->arch);
	}
	b.cross = target != arch_host();
	if (build_resolve_input(&b, err) < 0 || recipes_quirks(b.cfg, b.version, &b.quirks, err) < 0 ||
	    (b.cross ? cross_setup(&b, target, err) : compiler_version(&b.compiler, err)) < 0) {
		build_release(&b);
		return -1;
	}
	b.arch = xstrdup(target->gnu);
	if (add_configure_args(&b, opts, err) < 0) {
		build_release(&b);
		return -1;
	}
	compute_key(&b);
	b.name = opts->name ? xstrdup(opts->name) : default_name(&b, opts, target);
	if (!store_name_valid(b.name)) {
		r = gm_usage(err, "'%s' is not a valid sysroot name ([A-Za-z0-9._+-], up to 64, "
			     "not starting with '.' or '-')", b.name);
		build_release(&b);
		return r;
	}
	b.final = sysroot_path(b.cfg, b.name);

	/* The cache: an existing sysroot with the same key is the answer. */
	if (path_exists(b.final)) {
		struct sysroot have;
		if (sysroot_read(b.final, &have, err) < 0) {
			build_release(&b);
			return gm_err_wrap(err, "existing sysroot '%s'", b.name);
		}
		if (strcmp(have.cache_key, b.cache_key) == 0) {
			*ret = have;
			*ret_cached = true;
			build_release(&b);
			return 0;
		}
		sysroot_release(&have);
		r = gm_usage(err,
			     "sysroot '%s' exists but was built from other inputs; remove it "
			     "('glibc-matrix sysroot remove %s') or pass another --name",
			     b.name, b.name);
		build_release(&b);
		return r;
	}

	cleanup_free char *builds = NULL;
	if (store_dir(b.cfg, "build", &builds, err) < 0 || store_lock(b.cfg, ctx, b.name, &b.lock_fd, err) < 0) {
		build_release(&b);
		return -1;
	}
	b.builddir = path_join(builds, b.name);
	b.src = path_join(b.builddir, "src");
	b.obj = path_join(b.builddir, "obj");
	b.stage = path_join(b.builddir, "stage");
	b.log = path_join(b.builddir, "build.log");
	progress_init(&b.progress, ctx->tty, ctx->quiet, b.name);

	/* Another process may have finished the same build while we waited. */
	if (path_exists(b.final) && sysroot_read(b.final, ret, NULL) == 0 &&
	    strcmp(ret->cache_key, b.cache_key) == 0) {
		*ret_cached = true;
		build_release(&b);
		return 0;
	}
	r = do_build(&b, ret, err);
	progress_done(&b.progress);
	if (r < 0)
		as_interrupted(&b, err);
	if (r < 0 || !opts->keep_build_dir)
		cleanup_work(&b);
	if (r < 0 && (*err)->code == GM_EXIT_INTERRUPTED)
		gm_err_wrap(err, "build of '%s' stopped; nothing was installed", b.name);
	build_release(&b);
	return r;
}

/* The loader of a tree installed with --prefix=/usr: where the
 * architecture's standard PT_INTERP points (x86_64: /lib64, a link to
 * usr/lib64 in a merged tree), resolved inside the tree. */
static int usr_tree_verify(struct build *b, struct gm_err **err)
{
	const struct gm_arch *a = arch_by_gnu(b->arch);
	cleanup_free char *loader = path_join(b->usr_root, a->loader_path);
	cleanup_free char *libdir = xstrdup(loader);
	*strrchr(libdir, '/') = '\0';
	if (!path_is_file(loader))
		return gm_infra(err, 0, "glibc %s installed with --prefix=/usr has no %s in '%s'; see %s",
				b->version, a->loader_path, b->usr_root, b->log);
	return build_verify_libc(b, loader, libdir, err);
}

int build_into_root(const struct gm_ctx *ctx, const char *version, const char *root,
		    const char *workdir, struct gm_err **err)
{
	struct build_opts opts = {.input = version};
	struct build b;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.cfg = ctx->cfg;
	b.opts = &opts;
	b.log_fd = b.lock_fd = -1;
	b.usr_root = root;
	b.confine_rw[0] = workdir;
	b.confine_rw[1] = root;
	int r = -1;
	if (build_resolve_input(&b, err) < 0 || recipes_quirks(b.cfg, b.version, &b.quirks, err) < 0 ||
	    compiler_version(&b.compiler, err) < 0 || add_configure_args(&b, &opts, err) < 0)
		goto out;
	b.arch = xstrdup(arch_host()->gnu);
	compute_key(&b);
	b.name = xasprintf("glibc-%s (--prefix=/usr)", b.version);
	b.builddir = xstrdup(workdir);
	b.src = path_join(workdir, "src");
	b.obj = path_join(workdir, "obj");
	b.stage = path_join(workdir, "stage");
	b.log = path_join(workdir, "build.log");
	b.tmpdir = path_join(workdir, "tmp");
	progress_init(&b.progress, ctx->tty, ctx->quiet, b.name);
	r = do_build(&b, NULL, err);
	if (r == 0)
		r = usr_tree_verify(&b, err);
	progress_done(&b.progress);
	if (r < 0)
		as_interrupted(&b, err);
out:
	build_release(&b);
	return r;
}
