#define _GNU_SOURCE
#include "base/config.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GM_DATADIR
#define GM_DATADIR "/usr/local/share/glibc-matrix"
#endif
#ifndef GM_LIBEXECDIR
#define GM_LIBEXECDIR "/usr/local/libexec/glibc-matrix"
#endif

/* The value of name in envp; NULL when unset or empty. */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i][n + 1] ? envp[i] + n + 1 : NULL;
	return NULL;
}

static char *env_or(char *const *envp, const char *name, const char *def)
{
	const char *v = env_get(envp, name);
	return v ? xstrdup(v) : def ? xstrdup(def) : NULL;
}

static long env_long(char *const *envp, const char *name, long def, long min, long max)
{
	const char *v = env_get(envp, name);
	char *end;
	if (!v)
		return def;
	long n = strtol(v, &end, 10);
	return *end || n < min || n > max ? def : n;
}

/* dir when it holds marker, else NULL (dir freed). */
static char *holding(char *dir, const char *marker)
{
	cleanup_free char *probe = path_join(dir, marker);
	if (path_is_file(probe))
		return dir;
	free(dir);
	return NULL;
}

/* A directory of the project's: $env; else, beside the executable,
 * exe_dir/checkout_sub when it holds marker (a source tree), or
 * exe_dir/../installed_sub (what `make install` lays out under any
 * PREFIX or DESTDIR: bin/, libexec/glibc-matrix/, share/glibc-matrix/);
 * else fallback (the configured data directory). */
static char *project_dir(char *const *envp, const char *exe_dir, const char *env,
			 const char *checkout_sub, const char *installed_sub, const char *marker,
			 const char *fallback)
{
	const char *e = env_get(envp, env);
	if (e)
		return xstrdup(e);
	char *d = NULL;
	if (exe_dir && !(d = holding(path_join(exe_dir, checkout_sub), marker))) {
		cleanup_free char *up = path_join(exe_dir, "..");
		d = holding(path_join(up, installed_sub), marker);
	}
	return d ? d : xstrdup(fallback);
}

static char *data_dir(char *const *envp, const char *exe_dir, const char *env, const char *sub,
		      const char *marker)
{
	cleanup_free char *installed = path_join("share/glibc-matrix", sub);
	cleanup_free char *fallback = path_join(GM_DATADIR, sub);
	return project_dir(envp, exe_dir, env, sub, installed, marker, fallback);
}

static char *libexec_dir(char *const *envp, const char *exe_dir, const char *program)
{
	return project_dir(envp, exe_dir, "GLIBC_MATRIX_LIBEXEC", "build", "libexec/glibc-matrix",
			   program, GM_LIBEXECDIR);
}

static char *store_from_env(char *const *envp)
{
	const char *env = env_get(envp, "GLIBC_MATRIX_STORE");
	const char *xdg = env_get(envp, "XDG_CACHE_HOME");
	const char *home = env_get(envp, "HOME");
	cleanup_free char *root = env    ? xstrdup(env)
				: xdg && *xdg == '/' ? xasprintf("%s/glibc-matrix", xdg)
						     : xasprintf("%s/.cache/glibc-matrix", home ? home : "/tmp");
	return path_absolute(root);
}

/* The local glibc source directory (config.h). */
static char *glibc_src_from_env(char *const *envp, const char *exe_dir)
{
	const char *e = env_get(envp, "GLIBC_MATRIX_GLIBC_SRC");
	if (e)
		return path_absolute(e);
	if (!exe_dir)
		return NULL;
	cleanup_free char *beside = xasprintf("%s/../shared/glibc-src", exe_dir);
	if (!path_is_dir(beside))
		return NULL;
	return path_real(beside, NULL);
}

/* The directory of the running executable, or NULL. */
static char *own_dir(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(exe);
}

void config_from_env(struct gm_config *ret, char *const *envp, const char *exe_dir)
{
	cleanup_free char *own = exe_dir ? NULL : own_dir();
	const char *ed = exe_dir ? exe_dir : own;
	memset(ret, 0, sizeof(*ret));
	ret->store = store_from_env(envp);
	ret->recipes = data_dir(envp, ed, "GLIBC_MATRIX_RECIPES", "sysroots", "versions.tsv");
	ret->cases = data_dir(envp, ed, "GLIBC_MATRIX_CASES", "cases", "cases.ini");
	ret->containers = data_dir(envp, ed, "GLIBC_MATRIX_CONTAINERS", "containers", "rootfs.tsv");
	cleanup_free char *bdir = libexec_dir(envp, ed, "gm-batch");
	cleanup_free char *hdir = libexec_dir(envp, ed, "glibc-inject");
	ret->batch_helper = path_join(bdir, "gm-batch");
	ret->hook = path_join(hdir, "glibc-inject");
	ret->oci_runtime = env_or(envp, "GLIBC_MATRIX_OCI_RUNTIME", NULL);
	const char *cont = env_get(envp, "GLIBC_MATRIX_CONTAINMENT");
	ret->rlimit_only = cont && strcmp(cont, "rlimit-only") == 0;
	ret->cell_pids = env_long(envp, "GLIBC_MATRIX_CELL_PIDS", 2048, 8, 1L << 22);
	ret->cell_memory = env_long(envp, "GLIBC_MATRIX_CELL_MEMORY", 1024, 16, 1L << 24) << 20;
	ret->binfmt_dir = env_or(envp, "GLIBC_MATRIX_BINFMT_DIR", "/proc/sys/fs/binfmt_misc");
	ret->mirror = env_or(envp, "GLIBC_MATRIX_MIRROR", NULL);
	for (size_t n = ret->mirror ? strlen(ret->mirror) : 0; n && ret->mirror[n - 1] == '/';)
		ret->mirror[--n] = '\0';
	ret->apt_dir = env_or(envp, "GLIBC_MATRIX_APT_DIR", "/etc/apt");
	ret->keyring = env_or(envp, "GLIBC_MATRIX_KEYRING", NULL);
	ret->busybox = env_or(envp, "GLIBC_MATRIX_BUSYBOX", "/bin/busybox");
	ret->glibc_src = glibc_src_from_env(envp, ed);
}

void config_release(struct gm_config *c)
{
	char **strings[] = {&c->store, &c->recipes, &c->cases, &c->containers, &c->batch_helper,
			    &c->hook, &c->oci_runtime, &c->binfmt_dir, &c->mirror, &c->apt_dir,
			    &c->keyring, &c->busybox, &c->glibc_src};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		free(*strings[i]);
	memset(c, 0, sizeof(*c));
}
