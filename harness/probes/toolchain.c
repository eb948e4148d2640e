#define _GNU_SOURCE
#include "probes/toolchain.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "exec/proc.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What a compiler said, per process: the same compiler answers the same
 * for every sysroot, and each question costs a compiler's start (issue 22:
 * `cc -E -v` twice per sysroot was 50 ms of every run's start). */
struct asked {
	char *key;          /* the compiler, a NUL, the question */
	char **dirs;        /* its search list */
	char *version;      /* or its version line */
	struct asked *next;
};
static struct asked *asked;
static pthread_mutex_t asked_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct asked *asked_find(const char *cc, const char *q)
{
	const struct asked *hit = NULL;
	pthread_mutex_lock(&asked_lock);
	for (const struct asked *a = asked; a && !hit; a = a->next)
		if (strcmp(a->key, cc) == 0 && strcmp(a->key + strlen(cc) + 1, q) == 0)
			hit = a;
	pthread_mutex_unlock(&asked_lock);
	return hit;
}

static void asked_add(const char *cc, const char *q, char **dirs, const char *version)
{
	struct asked *a = xcalloc(1, sizeof(*a));
	size_t n = strlen(cc) + 1, m = strlen(q) + 1;
	a->key = xmalloc(n + m);
	memcpy(a->key, cc, n);
	memcpy(a->key + n, q, m);
	a->dirs = dirs ? strv_dup(dirs) : NULL;
	a->version = version ? xstrdup(version) : NULL;
	pthread_mutex_lock(&asked_lock);
	a->next = asked;
	asked = a;
	pthread_mutex_unlock(&asked_lock);
}

static int search_list_run(const char *cc, bool cxx, char ***ret, struct gm_err **err);

/* The compiler's #include <...> search list, from `cc -E -v`. */
static int search_list(const char *cc, bool cxx, char ***ret, struct gm_err **err)
{
	const char *q = cxx ? "-E -v c++" : "-E -v c";
	const struct asked *a = asked_find(cc, q);
	if (a) {
		*ret = strv_dup(a->dirs);
		return 0;
	}
	if (search_list_run(cc, cxx, ret, err) < 0)
		return -1;
	asked_add(cc, q, *ret, NULL);
	return 0;
}

static int search_list_run(const char *cc, bool cxx, char ***ret, struct gm_err **err)
{
	char *argv[] = {(char *)cc, "-x", cxx ? "c++" : "c", "-E", "-v", "/dev/null", NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 1 << 16, .log_fd = -1,
				 .stdin_fd = -1, .timeout_s = 60};
	struct proc_result res;
	char **dirs = xcalloc(1, sizeof(char *));
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		proc_result_release(&res);
		strv_free(dirs);
		return gm_infra(err, 0, "cannot ask '%s' for its include directories: %s", cc, how);
	}
	bool in = false;
	for (char *save = NULL, *l = strtok_r(res.err, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strstr(l, "#include <...> search starts here:"))
			in = true;
		else if (strstr(l, "End of search list."))
			in = false;
		else if (in && l[0] == ' ')
			strv_push(&dirs, str_trim(l));
	}
	proc_result_release(&res);
	*ret = dirs;
	return 0;
}

/* The glibc headers a compiler would use on its own: the host's, or for a
 * Debian cross compiler its cross libc's (/usr/aarch64-linux-gnu/include,
 * from libc6-dev-arm64-cross): both give way to the sysroot's. */
static bool host_system_dir(const char *d)
{
	return strcmp(d, "/usr/include") == 0 || strcmp(d, "/usr/local/include") == 0 ||
	       (str_starts(d, "/usr/include/") && str_ends(d, "-linux-gnu")) ||
	       (str_starts(d, "/usr/") && str_ends(d, "-linux-gnu/include"));
}

/* The GCC major version of a libstdc++ header directory ".../c++/12", or 0. */
static long cxx_dir_major(const char *d)
{
	const char *p = strstr(d, "/c++/");
	if (!p)
		return 0;
	char *end;
	long v = strtol(p + 5, &end, 10);
	return end != p + 5 && (!*end || *end == '/') ? v : 0;
}

/* The sysroot's own libstdc++ (Debian's libstdc++-N-dev): the highest N
 * under usr/include/c++, or 0. */
static long sysroot_cxx_major(const struct sysroot *s)
{
	cleanup_free char *dir = path_join(s->dir, "usr/include/c++");
	DIR *d = opendir(dir);
	long best = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char *end;
		long v = strtol(e->d_name, &end, 10);
		if (end != e->d_name && !*end && v > best)
			best = v;
	}
	if (d)
		closedir(d);
	return best;
}

/* flags --c++ compiles against the sysroot's libstdc++ where it can, so the
 * binary needs no GLIBCXX_ version the sysroot's libstdc++.so.6 lacks (the
 * host's GCC 12 headers call std::__throw_bad_array_new_length, which GCC
 * 10's library does not have).  Older headers are what a newer compiler
 * is built to accept; newer ones may use builtins an older compiler lacks,
 * and the host's older headers only need what a newer library also has,
 * so the host compiler keeps its own headers then.  Either way the link
 * is against the sysroot's libstdc++.so. */
static void use_sysroot_cxx(const struct sysroot *s, char **host_dirs, struct toolchain *t,
			    char ***dirs)
{
	const struct gm_arch *a = arch_by_gnu(s->arch);
	long n = sysroot_cxx_major(s), host = 0;
	for (size_t i = 0; host_dirs[i] && !host; i++)
		host = cxx_dir_major(host_dirs[i]);
	if (!a || !n)
		return;
	cleanup_free char *gccdir = xasprintf("%s/usr/lib/gcc/%s/%ld", s->dir, a->triplet, n);
	cleanup_free char *so = path_join(gccdir, "libstdc++.so");
	if (path_exists(so))
		strv_push_take(&t->ldflags, xasprintf("-L%s", gccdir));
	if (!host || n > host)
		return;
	char **v = xcalloc(1, sizeof(char *));
	bool added = false;
	for (size_t i = 0; host_dirs[i]; i++) {
		if (!cxx_dir_major(host_dirs[i])) {
			strv_push(&v, host_dirs[i]);
			continue;
		}
		if (added)
			continue;
		strv_push_take(&v, xasprintf("%s/usr/include/c++/%ld", s->dir, n));
		strv_push_take(&v, xasprintf("%s/usr/include/%s/c++/%ld", s->dir, a->triplet, n));
		strv_push_take(&v, xasprintf("%s/usr/include/c++/%ld/backward", s->dir, n));
		added = true;
	}
	strv_free(*dirs);
	*dirs = v;
}

char *toolchain_crtdir(const struct sysroot *s)
{
	for (size_t i = 0; s->libdirs[i]; i++) {
		cleanup_free char *p = path_join(s->libdirs[i], "crt1.o");
		if (path_is_file(p))
			return xstrdup(s->libdirs[i]);
	}
	/* Debian keeps crt files in usr/lib/<triplet>, beside lib/<triplet>. */
	cleanup_free char *usr = xasprintf("%s/usr/lib/%s-linux-gnu", s->dir, s->arch);
	cleanup_free char *p = path_join(usr, "crt1.o");
	return path_is_file(p) ? xstrdup(usr) : NULL;
}

/* The libraries glibc 2.34 merged into libc, linked as needed after the
 * objects (a specs file: flags come before the objects on a gcc line, and
 * --as-needed there would drop them). */
static void merged_libs(const struct gm_config *cfg, const struct sysroot *s,
			struct toolchain *t)
{
	if (version_cmp(s->glibc_version, "2.34") >= 0)
		return;
	cleanup_free char *specs = path_join(cfg->recipes, "merged-libs.specs");
	if (path_is_file(specs))
		strv_push_take(&t->ldflags, xasprintf("-specs=%s", specs));
}

int toolchain_for(const struct gm_config *cfg, const struct sysroot *s, bool cxx,
		  enum toolchain_mode mode, struct toolchain *t, struct gm_err **err)
{
	const char *env = getenv(cxx ? "CXX" : "CC");
	const struct gm_arch *host = arch_host(), *a = arch_by_gnu(s->arch);
	cleanup_strv char **dirs = NULL;
	bool sysinc_added = false;

	memset(t, 0, sizeof(*t));
	t->cross = !host || !a || host != a;
	if (t->cross && !a)
		return gm_usage(err, "sysroot '%s': unknown architecture '%s'", s->name, s->arch);
	/* Another machine's sysroot takes Debian's cross compiler for it:
	 * $CC names the host's compiler, not one per architecture. */
	t->cc = t->cross ? xasprintf("%s-%s", a->triplet, cxx ? "g++" : "gcc")
			 : xstrdup(env && *env ? env : cxx ? "g++" : "gcc");
	cleanup_free char *found = t->cross ? fs_find_program(t->cc) : NULL;
	if (t->cross && !found) {
		int r = gm_err_set(err, GM_EXIT_SKIP, 0, "no %s on this machine for the %s sysroot "
				   "'%s' (Debian package %s-%s)", t->cc, s->arch, s->name,
				   cxx ? "g++" : "gcc", a->triplet);
		free(t->cc);
		t->cc = NULL;
		return r;
	}
	if (t->cross && compiler_version_of(t->cc, &t->version, err) < 0) {
		toolchain_release(t);
		return -1;
	}
	t->cflags = xcalloc(1, sizeof(char *));
	t->ldflags = xcalloc(1, sizeof(char *));
	if (search_list(t->cc, cxx, &dirs, err) < 0) {
		toolchain_release(t);
		return -1;
	}
	if (cxx && mode != TOOLCHAIN_PROBE)
		use_sysroot_cxx(s, dirs, t, &dirs);
	strv_push(&t->cflags, "-nostdinc");
	for (size_t i = 0; dirs[i]; i++) {
		if (!host_system_dir(dirs[i])) {
			strv_push(&t->cflags, "-isystem");
			strv_push(&t->cflags, dirs[i]);
		} else if (!sysinc_added) {
			for (size_t k = 0; s->includedirs[k]; k++) {
				strv_push(&t->cflags, "-isystem");
				strv_push(&t->cflags, s->includedirs[k]);
			}
			sysinc_added = true;
		}
	}
	if (!sysinc_added)
		for (size_t k = 0; s->includedirs[k]; k++) {
			strv_push(&t->cflags, "-isystem");
			strv_push(&t->cflags, s->includedirs[k]);
		}

	cleanup_free char *crt = toolchain_crtdir(s);
	if (!crt) {
		toolchain_release(t);
		return gm_infra(err, 0, "sysroot '%s' has no crt1.o (no libc6-dev?)", s->name);
	}
	/* Debian's libc.so names /lib/... and /usr/lib/... absolutely: the linker
	 * resolves those inside --sysroot.  A source build's names its own
	 * absolute prefix, which --sysroot would break. */
	if (s->origin != ORIGIN_SOURCE)
		strv_push_take(&t->ldflags, xasprintf("--sysroot=%s", s->dir));
	strv_push_take(&t->ldflags, xasprintf("-B%s", crt));
	for (size_t i = 0; s->libdirs[i]; i++) {
		strv_push_take(&t->ldflags, xasprintf("-L%s", s->libdirs[i]));
		strv_push_take(&t->ldflags, xasprintf("-Wl,-rpath-link,%s", s->libdirs[i]));
	}
	if (!strv_contains(s->libdirs, crt))
		strv_push_take(&t->ldflags, xasprintf("-L%s", crt));
	if (mode != TOOLCHAIN_PROBE)
		merged_libs(cfg, s, t);
	if (mode == TOOLCHAIN_STANDALONE) {
		struct strbuf rpath = STRBUF_INIT;
		strbuf_join(&rpath, s->libdirs, ":");
		strv_push_take(&t->ldflags, xasprintf("-Wl,--dynamic-linker=%s", s->loader));
		strv_push_take(&t->ldflags, xasprintf("-Wl,-rpath,%s", strbuf_str(&rpath)));
		strbuf_release(&rpath);
		/* RUNPATH would not reach libraries loaded by libraries; RPATH does. */
		strv_push(&t->ldflags, "-Wl,--disable-new-dtags");
	}
	return 0;
}

void toolchain_release(struct toolchain *t)
{
	free(t->cc);
	free(t->version);
	strv_free(t->cflags);
	strv_free(t->ldflags);
	memset(t, 0, sizeof(*t));
}

int compiler_version(char **ret, struct gm_err **err)
{
	const char *cc = getenv("CC");
	return compiler_version_of(cc && *cc ? cc : "gcc", ret, err);
}

static int compiler_version_run(const char *cc, char **ret, struct gm_err **err);

int compiler_version_of(const char *cc, char **ret, struct gm_err **err)
{
	const struct asked *a = asked_find(cc, "--version");
	if (a) {
		*ret = xstrdup(a->version);
		return 0;
	}
	if (compiler_version_run(cc, ret, err) < 0)
		return -1;
	asked_add(cc, "--version", NULL, *ret);
	return 0;
}

static int compiler_version_run(const char *cc, char **ret, struct gm_err **err)
{
	char *argv[] = {(char *)cc, "--version", NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 4096, .log_fd = -1, .stdin_fd = -1,
				 .timeout_s = 30};
	struct proc_result res;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		proc_result_release(&res);
		return gm_infra(err, 0, "cannot run the C compiler '%s --version': %s", argv[0], how);
	}
	*ret = xstrndup(res.out, strcspn(res.out, "\n"));
	proc_result_release(&res);
	return 0;
}
