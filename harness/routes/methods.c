#define _GNU_SOURCE
#include "routes/methods.h"
#include "base/cleanup.h"
#include "elf/elfcache.h"
#include "elf/elfinfo.h"
#include "elf/elfpatch.h"
#include "exec/proc.h"
#include "base/util.h"

#include <gnu/libc-version.h>
#include <pthread.h>
#include <string.h>

void method_cmd_release(struct method_cmd *c)
{
	strv_free(c->argv);
	strv_free(c->env);
	memset(c, 0, sizeof(*c));
}

/* The run sysroot's library directories, then the extra ones. */
static char **lib_dirs(const struct method_ctx *mc)
{
	char **v = xcalloc(1, sizeof(char *));
	for (size_t i = 0; mc->run->libdirs[i]; i++)
		strv_push(&v, mc->run->libdirs[i]);
	for (size_t i = 0; mc->extra_libdirs && mc->extra_libdirs[i]; i++)
		if (!strv_contains(v, mc->extra_libdirs[i]))
			strv_push(&v, mc->extra_libdirs[i]);
	return v;
}

static char *join(char *const *v)
{
	char *r = xstrdup("");
	for (size_t i = 0; v && v[i]; i++) {
		char *n = xasprintf("%s%s%s", r, i ? ":" : "", v[i]);
		free(r);
		r = n;
	}
	return r;
}

/* Environment every route starts from: nothing inherited that changes how
 * the loader searches, and (unless lazy) every symbol bound at start-up, so a
 * symbol that cannot be bound fails the cell whatever code path runs. */
static char **base_env(const struct method_ctx *mc)
{
	char **env = NULL;
	strv_push(&env, "LD_LIBRARY_PATH");
	strv_push(&env, "LD_PRELOAD");
	strv_push(&env, "LD_AUDIT");
	strv_push(&env, "GCONV_PATH");
	strv_push(&env, "LOCPATH");
	strv_push(&env, "LC_ALL=C");
	strv_push(&env, mc->lazy ? "LD_BIND_NOW" : "LD_BIND_NOW=1");
	return env;
}

/* A distribution's libc has its distribution's absolute paths compiled in
 * (/usr/lib/<triplet>/gconv): outside its root file system they name the
 * host's modules, of another glibc.  Point it at its own, as its own system
 * would.  A from-source sysroot knows its prefix and needs nothing. */
static void push_data_env(char ***env, const struct sysroot *run)
{
	if (strcmp(run->origin, "source") == 0 || strcmp(run->origin, "host") == 0)
		return;
	for (size_t i = 0; run->libdirs[i]; i++) {
		cleanup_free char *g = path_join(run->libdirs[i], "gconv");
		cleanup_free char *mods = path_join(g, "gconv-modules");
		if (path_is_file(mods)) {
			strv_push_take(env, xasprintf("GCONV_PATH=%s", g));
			return;
		}
	}
}

static void push_args(char ***argv, const struct method_ctx *mc)
{
	for (size_t i = 0; mc->args && mc->args[i]; i++)
		strv_push(argv, mc->args[i]);
}

static char *binary_interp(const char *binary)
{
	const struct elf_info *in;
	if (elfcache_get(binary, &in, NULL) == 1 && in->interp)
		return xstrdup(in->interp);
	return NULL;
}

/* Copies the binary's companions (plugins, found beside the executable)
 * next to a patched copy. */
static int copy_companions(const struct method_ctx *mc, struct gm_err **err)
{
	for (size_t i = 0; mc->companions && mc->companions[i]; i++) {
		const char *b = strrchr(mc->companions[i], '/');
		cleanup_free char *dst = path_join(mc->workdir, b ? b + 1 : mc->companions[i]);
		if (copy_file(mc->companions[i], dst, err) < 0)
			return -1;
	}
	return 0;
}

static int patched_copy(const struct method_ctx *mc, const char *interp, char **ret,
			struct gm_err **err)
{
	const char *b = strrchr(mc->binary, '/');
	cleanup_strv char **dirs = lib_dirs(mc);
	cleanup_free char *runpath = join(dirs);
	char *out = path_join(mc->workdir, b ? b + 1 : mc->binary);
	struct elf_patch_opts o = {.interp = interp, .path_op = ELF_PATCH_PATH_RUNPATH,
				   .path = runpath};
	if (mkdir_p(mc->workdir, 0755, err) < 0) {
		free(out);
		return -1;
	}
	if (elf_patch(mc->binary, out, &o, NULL, err) < 0 || copy_companions(mc, err) < 0) {
		free(out);
		return -1;
	}
	*ret = out;
	return 0;
}

static void expect_run(const struct method_ctx *mc, struct method_cmd *c)
{
	c->expect.glibc_version = mc->run->glibc_version;
	c->expect.libdirs = mc->run->libdirs;
}

/* The process a route assembles: the sysroot's loader or the binary's own
 * PT_INTERP (the host's), and the sysroot's directories as a library path
 * (--library-path, LD_LIBRARY_PATH), as the binary's RUNPATH, or not at all. */
enum { SEARCH_NONE, SEARCH_LIBPATH, SEARCH_RUNPATH };

static char **host_dirs(void);

static int route_predict(const struct method_ctx *mc, bool own_loader, int where,
			 struct gm_prediction *p, struct gm_err **err)
{
	cleanup_free char *interp = own_loader ? binary_interp(mc->binary) : xstrdup(mc->run->loader);
	cleanup_strv char **sys = own_loader ? host_dirs() : sysroot_system_dirs(mc->run);
	cleanup_strv char **dirs = lib_dirs(mc);
	struct predict_env env = {
		.interp = interp,
		.library_path = where == SEARCH_LIBPATH ? dirs : NULL,
		.main_runpath = where == SEARCH_RUNPATH ? dirs : NULL,
		.system_dirs = sys,
		.dlopened = mc->dlopened,
		.runtime = mc->runtime,
		.interp_glibc = own_loader ? gnu_get_libc_version() : mc->run->glibc_version,
	};
	return predict_process(mc->binary, &env, p, err);
}

/* --- host --- */

static int host_prepare(const struct method_ctx *mc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = base_env(mc);
	strv_push(&c->argv, mc->binary);
	push_args(&c->argv, mc);
	expect_run(mc, c);
	return 0;
}

static int host_predict(const struct method_ctx *mc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(mc, true, SEARCH_NONE, p, err);
}

/* --- loader --- */

struct argv0_cache {
	char *loader;
	bool yes;
};
static struct argv0_cache *argv0s;
static size_t n_argv0s;
static pthread_mutex_t argv0_lock = PTHREAD_MUTEX_INITIALIZER;

bool loader_has_argv0(const char *loader)
{
	bool yes = false, found = false;
	pthread_mutex_lock(&argv0_lock);
	for (size_t i = 0; i < n_argv0s; i++)
		if (strcmp(argv0s[i].loader, loader) == 0) {
			yes = argv0s[i].yes;
			found = true;
		}
	pthread_mutex_unlock(&argv0_lock);
	if (found)
		return yes;
	/* glibc >= 2.33 loaders describe their options in --help. */
	char *argv[] = {(char *)loader, "--help", NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 1 << 16, .merge_stderr = true,
				 .log_fd = -1, .stdin_fd = -1, .timeout_s = 30};
	struct proc_result res;
	if (proc_run(&spec, &res, NULL) == 0) {
		yes = res.exit_code == 0 && strstr(res.out, "--argv0") != NULL;
		proc_result_release(&res);
	}
	pthread_mutex_lock(&argv0_lock);
	argv0s = xrealloc(argv0s, (n_argv0s + 1) * sizeof(*argv0s));
	argv0s[n_argv0s].loader = xstrdup(loader);
	argv0s[n_argv0s++].yes = yes;
	pthread_mutex_unlock(&argv0_lock);
	return yes;
}

static int loader_prepare(const struct method_ctx *mc, struct method_cmd *c,
			  struct gm_err **err)
{
	(void)err;
	c->env = base_env(mc);
	push_data_env(&c->env, mc->run);
	strv_push(&c->argv, mc->run->loader);
	strv_push(&c->argv, "--inhibit-cache");
	strv_push(&c->argv, "--library-path");
	cleanup_strv char **dirs = lib_dirs(mc);
	strv_push_take(&c->argv, join(dirs));
	if (loader_has_argv0(mc->run->loader)) {
		strv_push(&c->argv, "--argv0");
		strv_push(&c->argv, mc->binary);
	}
	strv_push(&c->argv, mc->binary);
	push_args(&c->argv, mc);
	expect_run(mc, c);
	return 0;
}

static int loader_predict(const struct method_ctx *mc, struct gm_prediction *p,
			  struct gm_err **err)
{
	return route_predict(mc, false, SEARCH_LIBPATH, p, err);
}

/* --- interp --- */

static int interp_prepare(const struct method_ctx *mc, struct method_cmd *c,
			  struct gm_err **err)
{
	char *copy;
	if (patched_copy(mc, mc->run->loader, &copy, err) < 0)
		return -1;
	c->env = base_env(mc);
	push_data_env(&c->env, mc->run);
	strv_push_take(&c->argv, copy);
	push_args(&c->argv, mc);
	expect_run(mc, c);
	return 0;
}

static int interp_predict(const struct method_ctx *mc, struct gm_prediction *p,
			  struct gm_err **err)
{
	return route_predict(mc, false, SEARCH_RUNPATH, p, err);
}

/* --- rpath --- */

static int rpath_prepare(const struct method_ctx *mc, struct method_cmd *c, struct gm_err **err)
{
	char *copy;
	if (patched_copy(mc, NULL, &copy, err) < 0)
		return -1;
	c->env = base_env(mc);
	push_data_env(&c->env, mc->run);
	strv_push_take(&c->argv, copy);
	push_args(&c->argv, mc);
	expect_run(mc, c);
	return 0;
}

/* The host's loader runs the binary; its directories are the host's. */
static char **host_dirs(void)
{
	struct sysroot host;
	sysroot_host(&host);
	char **dirs = sysroot_system_dirs(&host);
	sysroot_release(&host);
	return dirs;
}

static int rpath_predict(const struct method_ctx *mc, struct gm_prediction *p,
			 struct gm_err **err)
{
	return route_predict(mc, true, SEARCH_RUNPATH, p, err);
}

/* --- env --- */

static int env_prepare(const struct method_ctx *mc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	c->env = base_env(mc);
	push_data_env(&c->env, mc->run);
	cleanup_strv char **v = lib_dirs(mc);
	cleanup_free char *dirs = join(v);
	/* base_env unsets LD_LIBRARY_PATH; this later entry sets it. */
	strv_push_take(&c->env, xasprintf("LD_LIBRARY_PATH=%s", dirs));
	strv_push(&c->argv, mc->binary);
	push_args(&c->argv, mc);
	expect_run(mc, c);
	return 0;
}

static int env_predict(const struct method_ctx *mc, struct gm_prediction *p, struct gm_err **err)
{
	return route_predict(mc, true, SEARCH_LIBPATH, p, err);
}

static const struct method methods[] = {
	{"host", "as built: the binary's own loader and the host's glibc", true, host_prepare,
	 host_predict},
	{"loader", "explicit loader: ld.so --inhibit-cache --library-path DIRS BINARY", false,
	 loader_prepare, loader_predict},
	{"interp", "patched copy: PT_INTERP = the sysroot's ld.so, RUNPATH = its libdirs", false,
	 interp_prepare, interp_predict},
	{"rpath", "patched copy: RUNPATH only, the host's loader stays", false, rpath_prepare,
	 rpath_predict},
	{"env", "LD_LIBRARY_PATH = the sysroot's libdirs (the classic mistake)", false,
	 env_prepare, env_predict},
};

const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

const struct method *const *method_all(void)
{
	static const struct method *all[sizeof(methods) / sizeof(methods[0]) + 1];
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		all[i] = &methods[i];
	return all;
}
