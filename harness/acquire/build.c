#define _GNU_SOURCE
#include "acquire/build.h"
#include "base/arch.h"
#include "base/interrupt.h"
#include "acquire/archive.h"
#include "base/cleanup.h"
#include "elf/elfinfo.h"
#include "acquire/fetch.h"
#include "acquire/mirror.h"
#include "exec/proc.h"
#include "base/progress.h"
#include "store/recipes.h"
#include "store/store.h"
#include "probes/toolchain.h"
#include "base/util.h"

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

/* Everything one build needs; released by build_release. */
struct build {
	const struct gm_ctx *ctx;
	const struct build_opts *opts;
	char *version;
	char *name;
	char *source_sha256;
	char *tarball;        /* local or downloaded tarball, or NULL for a tree */
	char *url;            /* download URL for a known version */
	char *tree;           /* user's source tree, or NULL */
	char *final;          /* store/sysroots/<name> */
	char *builddir;       /* store/build/<name> */
	char *src, *obj, *stage, *log;
	char *compiler;
	char *arch;
	char **configure_args; /* quirks' then user's */
	struct quirks quirks;
	char cache_key[65];
	int log_fd;
	int lock_fd;
	struct progress progress;
	const char *phase;
};

static void build_release(struct build *b)
{
	free(b->version);
	free(b->name);
	free(b->source_sha256);
	free(b->tarball);
	free(b->url);
	free(b->tree);
	free(b->final);
	free(b->builddir);
	free(b->src);
	free(b->obj);
	free(b->stage);
	free(b->log);
	free(b->compiler);
	free(b->arch);
	strv_free(b->configure_args);
	quirks_release(&b->quirks);
	if (b->log_fd >= 0)
		close(b->log_fd);
	if (b->lock_fd >= 0)
		close(b->lock_fd);
}

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


/* Resolves input into version, source hash and where the source comes from. */
static int resolve_input(struct build *b, struct gm_err **err)
{
	const char *in = b->opts->input;
	struct stat st;

	if (stat(in, &st) < 0) {
		struct recipe rec;
		int found;
		if (!version_valid(in))
			return gm_usage(err, "'%s': no such file or directory, and not a glibc version", in);
		found = recipes_find(in, &rec, err);
		if (found < 0)
			return -1;
		if (!found) {
			struct recipe *v;
			size_t n;
			cleanup_free char *known = xstrdup("");
			if (recipes_versions(&v, &n, NULL) == 0) {
				for (size_t i = 0; i < n; i++) {
					char *k = xasprintf("%s%s%s", known, i ? " " : "", v[i].version);
					free(known);
					known = k;
				}
				recipes_free(v, n);
			}
			return gm_usage(err,
					"unknown glibc version '%s' (known: %s); pass a tarball or a "
					"source directory to build another",
					in, known);
		}
		cleanup_free char *mirror = NULL;
		b->version = xstrdup(rec.version);
		b->source_sha256 = xstrdup(rec.sha256);
		if (mirror_debian(&mirror, err) < 0) {
			recipe_release(&rec);
			return -1;
		}
		b->url = xasprintf("%s/%s", mirror, rec.path);
		const char *base = strrchr(rec.path, '/') ? strrchr(rec.path, '/') + 1 : rec.path;
		cleanup_free char *dl = NULL;
		if (store_dir("downloads", &dl, err) < 0) {
			recipe_release(&rec);
			return -1;
		}
		b->tarball = path_join(dl, base);
		recipe_release(&rec);
		return 0;
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

static void log_line(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(struct build *b, const char *fmt, ...)
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
static int run_step(struct build *b, const char *phase, char **argv, const char *cwd,
		    struct gm_err **err)
{
	static char *env[] = {"LC_ALL=C", "LANG", "LD_LIBRARY_PATH", "LD_PRELOAD",
			      "GCONV_PATH", "LOCPATH", NULL};
	struct proc_spec spec = {
		.argv = argv, .env = env, .cwd = cwd, .merge_stderr = true, .log_fd = b->log_fd,
		.stdin_fd = -1, .on_line = on_output, .on_start = on_start, .ctx = b,
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
		log_line(b, "== %s failed: %s", phase, how);
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

/* Applies the quirks to the private source copy. */
static int apply_quirks(struct build *b, struct gm_err **err)
{
	cleanup_free char *manual = path_join(b->src, "manual");
	if (b->quirks.stub_manual && !path_exists(manual)) {
		cleanup_free char *mk = path_join(manual, "Makefile");
		if (mkdir_p(manual, 0755, err) < 0 ||
		    write_text(mk, "subdir := manual\ninclude ../Makeconfig\ninclude ../Rules\n", err) < 0)
			return -1;
		log_line(b, "== quirk: stub manual/Makefile");
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
			log_line(b, "== quirk: empty manual/errno.texi older than errlist.c");
		}
	}
	return 0;
}

static int fetch_source(struct build *b, struct gm_err **err)
{
	if (b->tree) {
		cleanup_free char *from = xasprintf("%s/.", b->tree);
		char *argv[] = {"cp", "-a", "--reflink=auto", from, b->src, NULL};
		if (mkdir_p(b->src, 0755, err) < 0)
			return -1;
		return run_step(b, "copy source", argv, NULL, err);
	}
	if (b->url) {
		progress_phase(&b->progress, "download", NULL);
		log_line(b, "== download %s", b->url);
		if (fetch_file(b->url, b->tarball, b->source_sha256, NULL, err) < 0)
			return -1;
	}
	progress_phase(&b->progress, "unpack", NULL);
	log_line(b, "== unpack %s", b->tarball);
	if (mkdir_p(b->src, 0755, err) < 0)
		return -1;
	return archive_extract_tarball(b->tarball, b->src, 1, err);
}

/* Kernel headers beside glibc's, so probes compile against the sysroot
 * alone: the host's linux-libc-dev trees. */
static int add_kernel_headers(struct build *b, const char *incdir, struct gm_err **err)
{
	static const char *const dirs[] = {"linux", "asm-generic", "drm", "misc", "mtd",
					   "rdma", "sound", "video", "xen", NULL};
	cleanup_strv char **argv = NULL;
	strv_push(&argv, "cp");
	strv_push(&argv, "-a");
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *d = xasprintf("/usr/include/%s", dirs[i]);
		if (path_is_dir(d))
			strv_push(&argv, d);
	}
	if (strv_len(argv) == 2)
		return gm_infra(err, 0, "no kernel headers in /usr/include (install linux-libc-dev)");
	strv_push(&argv, incdir);
	if (run_step(b, "kernel headers", argv, NULL, err) < 0)
		return -1;
	/* asm/ is per architecture: /usr/include/<multiarch>/asm. */
	cleanup_free char *asmdir = xasprintf("/usr/include/%s-linux-gnu/asm", b->arch);
	if (path_is_dir(asmdir)) {
		char *cp[] = {"cp", "-a", asmdir, (char *)incdir, NULL};
		return run_step(b, "kernel headers", cp, NULL, err);
	}
	return 0;
}

static char *find_loader(const char *libdir)
{
	DIR *d = opendir(libdir);
	struct dirent *e;
	char *r = NULL;
	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (!r && str_starts(e->d_name, "ld-linux") && strstr(e->d_name, ".so."))
			r = path_join(libdir, e->d_name);
	closedir(d);
	return r;
}

/* Runs argv under the build's log; returns the captured output (merged
 * streams) in *out when the program exited 0, else an infra error naming what. */
static int verify_run(struct build *b, char **argv, char **out, struct gm_err **err)
{
	struct proc_spec spec = {.argv = argv, .capture_max = 8192, .log_fd = b->log_fd,
				 .stdin_fd = -1, .timeout_s = 30, .merge_stderr = true};
	struct proc_result res;
	int r = 0;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		r = gm_infra(err, 0, "verifying the build: '%s %s' failed (%s): %.200s", argv[0],
			     argv[strv_len(argv) - 1], how, res.out);
	} else {
		*out = xstrdup(res.out);
	}
	proc_result_release(&res);
	return r;
}

/* True if text names "version V" with V not followed by another digit or '.'
 * and digit (so 2.3 does not match 2.31). */
static bool names_version(const char *text, const char *v)
{
	cleanup_free char *want = xasprintf("version %s", v);
	for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
		const char *e = p + strlen(want);
		if (!(*e >= '0' && *e <= '9') && !(e[0] == '.' && e[1] >= '0' && e[1] <= '9'))
			return true;
	}
	return false;
}

/* Before we publish, the staged loader must run the staged libc.so.6 as a
 * program (libc prints its release banner): that proves the loader starts,
 * that it accepts this libc (they share GLIBC_PRIVATE interfaces, so a loader
 * and libc of two builds fail here), and that libc is our version.  Loaders
 * from 2.33 on also answer --version, which must name the same version;
 * older ones have no --version (they try to open a file of that name), which
 * is why the libc banner is the check that works for every release. */
static int verify_stage(struct build *b, const char *loader, const char *libdir,
			struct gm_err **err)
{
	cleanup_free char *libc = path_join(libdir, "libc.so.6");
	char *libc_argv[] = {(char *)loader, "--library-path", (char *)libdir, libc, NULL};
	cleanup_free char *out = NULL;
	progress_phase(&b->progress, "verify", NULL);
	if (verify_run(b, libc_argv, &out, err) < 0)
		return -1;
	if (!names_version(out, b->version))
		return gm_infra(err, 0, "verifying the build: '%s' run by '%s' did not report "
			        "version %s: %.200s", libc, loader, b->version, out);
	if (version_cmp(b->version, "2.33") < 0)
		return 0;
	char *ld_argv[] = {(char *)loader, "--version", NULL};
	free(out);
	out = NULL;
	if (verify_run(b, ld_argv, &out, err) < 0)
		return -1;
	if (!names_version(out, b->version))
		return gm_infra(err, 0, "verifying the build: the loader '%s --version' did not "
			        "report version %s: %.200s", loader, b->version, out);
	return 0;
}

static int publish_build(struct build *b, struct sysroot *ret, struct gm_err **err)
{
	cleanup_free char *staged = path_join(b->stage, b->final);
	cleanup_free char *libdir = path_join(staged, "lib");
	cleanup_free char *incdir = path_join(staged, "include");
	cleanup_free char *sysroots = NULL;
	struct sysroot s;

	cleanup_free char *loader = find_loader(libdir);
	if (!loader)
		return gm_infra(err, 0, "no ld-linux*.so.* in '%s' after install; see %s", libdir,
				b->log);
	if (add_kernel_headers(b, incdir, err) < 0 || verify_stage(b, loader, libdir, err) < 0)
		return -1;

	memset(&s, 0, sizeof(s));
	s.name = xstrdup(b->name);
	s.glibc_version = xstrdup(b->version);
	s.arch = xstrdup(b->arch);
	s.origin = xstrdup("source");
	s.dir = xstrdup(b->final);
	s.prefix = xstrdup(b->final);
	s.loader = path_join(b->final, loader + strlen(staged));
	strv_push_take(&s.libdirs, path_join(b->final, "lib"));
	strv_push_take(&s.includedirs, path_join(b->final, "include"));
	s.source_sha256 = xstrdup(b->source_sha256);
	s.configure_args = xcalloc(1, sizeof(char *));
	for (size_t i = 0; b->configure_args[i]; i++)
		strv_push(&s.configure_args, b->configure_args[i]);
	s.compiler = xstrdup(b->compiler);
	s.package_version = xstrdup("");
	s.cache_key = xstrdup(b->cache_key);
	s.created = now_rfc3339();
	s.build_log = xstrdup(b->log);

	int r = sysroot_write(staged, &s, err);
	if (r == 0 && store_dir("sysroots", &sysroots, err) < 0)
		r = -1;
	if (r == 0 && store_publish(staged, b->final, err) < 0)
		r = -1;
	if (r < 0) {
		sysroot_release(&s);
		return -1;
	}
	*ret = s;
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
	if (store_dir("build/.stats", &dir, NULL) < 0)
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
	cleanup_free char *prefix = xasprintf("--prefix=%s", b->final);
	cleanup_free char *jobs = xasprintf("-j%d", b->opts->jobs > 0 ? b->opts->jobs : nproc());
	cleanup_free char *destdir = NULL;
	cleanup_free char *install_root = NULL;
	cleanup_strv char **conf = NULL;

	if (rm_rf(b->builddir, err) < 0 || mkdir_p(b->builddir, 0755, err) < 0)
		return -1;
	b->log_fd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (b->log_fd < 0)
		return gm_infra(err, errno, "cannot create '%s'", b->log);
	log_line(b, "glibc-matrix: building glibc %s as '%s'\nsource: %s\nsha256: %s\n"
		    "compiler: %s\ncache key: %s",
		 b->version, b->name, b->tree ? b->tree : b->tarball, b->source_sha256,
		 b->compiler, b->cache_key);
	for (size_t i = 0; b->quirks.applied[i]; i++)
		log_line(b, "quirk: %s", b->quirks.applied[i]);

	if (fetch_source(b, err) < 0 || apply_quirks(b, err) < 0 ||
	    mkdir_p(b->obj, 0755, err) < 0)
		return -1;

	configure = path_join(b->src, "configure");
	strv_push(&conf, configure);
	strv_push(&conf, prefix);
	for (size_t i = 0; b->configure_args[i]; i++)
		strv_push(&conf, b->configure_args[i]);
	if (run_step(b, "configure", conf, b->obj, err) < 0)
		return -1;

	char *make[] = {"make", jobs, NULL};
	b->progress.expected = expected_files(b, false);
	if (run_step(b, "make", make, b->obj, err) < 0)
		return -1;
	expected_files(b, true);

	destdir = xasprintf("DESTDIR=%s", b->stage);
	install_root = xasprintf("install_root=%s", b->stage);
	char *install[] = {"make", jobs, "install", destdir, install_root, NULL};
	if (run_step(b, "install", install, b->obj, err) < 0)
		return -1;
	return publish_build(b, ret, err);
}

int build_download_only(const char *input, char **ret, struct gm_err **err)
{
	struct build_opts opts = {.input = input};
	struct build b;
	int r = 0;

	memset(&b, 0, sizeof(b));
	b.opts = &opts;
	b.log_fd = b.lock_fd = -1;
	if (resolve_input(&b, err) < 0)
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

int build_sysroot(const struct gm_ctx *ctx, const struct build_opts *opts, struct sysroot *ret,
		  bool *ret_cached, struct gm_err **err)
{
	struct build b;
	int r;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.opts = opts;
	b.log_fd = b.lock_fd = -1;
	*ret_cached = false;

	if (resolve_input(&b, err) < 0 || recipes_quirks(b.version, &b.quirks, err) < 0 ||
	    compiler_version(&b.compiler, err) < 0) {
		build_release(&b);
		return -1;
	}
	if (!arch_host()) {
		build_release(&b);
		return gm_err_set(err, GM_EXIT_SKIP, 0,
				  "this machine's architecture is not one glibc-matrix knows (%s)",
				  arch_proven_debs());
	}
	b.arch = xstrdup(arch_host()->gnu);
	b.configure_args = xcalloc(1, sizeof(char *));
	for (size_t i = 0; b.quirks.configure_args[i]; i++)
		strv_push(&b.configure_args, b.quirks.configure_args[i]);
	for (size_t i = 0; opts->configure_args && opts->configure_args[i]; i++) {
		if (str_starts(opts->configure_args[i], "--prefix")) {
			build_release(&b);
			return gm_usage(err, "--configure-arg '%s': the prefix is the sysroot's own path",
					opts->configure_args[i]);
		}
		strv_push(&b.configure_args, opts->configure_args[i]);
	}
	compute_key(&b);

	if (opts->name) {
		b.name = xstrdup(opts->name);
	} else {
		struct recipe rec;
		bool pristine = !strv_len(opts->configure_args) &&
				recipes_find(b.version, &rec, NULL) == 1 &&
				strcmp(rec.sha256, b.source_sha256) == 0;
		if (pristine)
			recipe_release(&rec);
		b.name = pristine ? xasprintf("glibc-%s", b.version)
				  : xasprintf("glibc-%s-%.8s", b.version, b.cache_key);
	}
	if (!store_name_valid(b.name)) {
		r = gm_usage(err, "'%s' is not a valid sysroot name ([A-Za-z0-9._+-], up to 64)", b.name);
		build_release(&b);
		return r;
	}
	b.final = sysroot_path(b.name);

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
	if (store_dir("build", &builds, err) < 0 || store_lock(b.name, &b.lock_fd, err) < 0) {
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
	if (r < 0 && interrupted() && (!*err || (*err)->code != GM_EXIT_INTERRUPTED)) {
		gm_err_free(err);
		gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted during '%s'",
			   b.phase ? b.phase : "setup");
	}
	if (r < 0 || !opts->keep_build_dir)
		cleanup_work(&b);
	if (r < 0 && (*err)->code == GM_EXIT_INTERRUPTED)
		gm_err_wrap(err, "build of '%s' stopped; nothing was installed", b.name);
	build_release(&b);
	return r;
}
