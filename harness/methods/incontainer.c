#define _GNU_SOURCE
#include "methods/incontainer.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strmap.h"
#include "base/util.h"
#include "elf/elfcache.h"
#include "elf/glibcver.h"
#include "store/rootpath.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

char **ctr_rootfs_dirs(const struct rootfs *r)
{
	char **v = distribution_dirs(r->arch);
	/* A tree whose glibc lives elsewhere (RHEL's /usr/lib64): its own
	 * loader searches there by itself (its slibdir and libdir), and
	 * another loader finds those libraries through the tree's
	 * ld.so.cache, where ldconfig always lists its own directories. */
	cleanup_free char *dir = r->libc && *r->libc ? xstrdup(r->libc) : NULL;
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (!slash || slash == dir)
		return v;
	*slash = '\0';
	if (strv_contains(v, dir))
		return v;
	/* Its loader names them by its first directory (slibdir: /lib64,
	 * where PT_INTERP points, a link to usr/lib64 in a merged tree). */
	const struct gm_arch *a = arch_by_gnu(r->arch);
	cleanup_free char *ld_dir = a ? xstrdup(a->loader_path) : NULL;
	if (ld_dir && (slash = strrchr(ld_dir, '/')) && slash != ld_dir) {
		*slash = '\0';
		if (!strv_contains(v, ld_dir))
			strv_push(&v, ld_dir);
	}
	strv_push(&v, dir);
	return v;
}

/* Answers that depend on their key alone in this process (a path inside
 * a tree, which the run never changes; the glibc files of a run sysroot):
 * worked out once, not per cell.  Values are kept for the life of the
 * process, each answer an allocated string or NULL. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strmap memo_keys = STRMAP_INIT;
static char **memo_vals;

/* A copy of the answer for key, computed by compute(a, b) the first time. */
static char *memo(const char *key, char *(*compute)(const void *a, const void *b),
		  const void *a, const void *b)
{
	pthread_mutex_lock(&memo_lock);
	size_t n = memo_keys.n, k = strmap_intern(&memo_keys, key, n);
	if (k == n) {
		memo_vals = xrealloc(memo_vals, (n + 1) * sizeof(*memo_vals));
		memo_vals[n] = compute(a, b);
	}
	char *r = memo_vals[k] ? xstrdup(memo_vals[k]) : NULL;
	pthread_mutex_unlock(&memo_lock);
	return r;
}

static char *resolve_now(const void *root, const void *rel)
{
	const char *r = rel;
	cleanup_free char *canon = rootpath_resolve(root, r[0] == '/' ? r + 1 : r);
	if (!canon)
		return NULL;
	return *canon ? path_join(root, canon) : xstrdup(root);
}

/* root + the path rel resolves to inside root, or NULL. */
static char *resolve_in(const char *root, const char *rel)
{
	cleanup_free char *key = xasprintf("resolve\t%s\t%s", root, rel);
	return memo(key, resolve_now, root, rel);
}

char **ctr_rootfs_host_dirs(const struct rootfs *r)
{
	cleanup_strv char **inside = ctr_rootfs_dirs(r);
	char **v = xcalloc(1, sizeof(char *));
	for (size_t i = 0; inside[i]; i++) {
		char *d = resolve_in(r->root, inside[i]);
		if (d && !strv_contains(v, d))
			strv_push(&v, d);
		free(d);
	}
	return v;
}

char *ctr_rootfs_loader(const struct rootfs *r, const char *binary)
{
	const struct elf_info *in;
	if (elfcache_get(binary, &in, NULL) != 1 || !in->interp)
		return NULL;
	return resolve_in(r->root, in->interp);
}

bool ctr_injects(const struct rootfs *r, const struct sysroot *run)
{
	return strcmp(r->glibc_version, "none") != 0 &&
	       version_cmp(r->glibc_version, run->glibc_version) < 0;
}

int ctr_shared(const struct method_ctx *rc, const char *key,
	       int (*make)(const struct method_ctx *rc, const char *path, void *arg,
			   struct gm_err **err),
	       void *arg, char **ret_path, struct gm_err **err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct strmap keys = STRMAP_INIT; /* work and key to n */
	static bool *made;
	cleanup_free char *work = xstrdup(rc->workdir);
	char *slash = strrchr(work, '/');
	if (slash && slash != work)
		*slash = '\0';
	cleanup_free char *full = xasprintf("%s\n%s", work, key);
	pthread_mutex_lock(&lock);
	size_t n = keys.n, k = strmap_intern(&keys, full, n);
	if (k == n) {
		made = xrealloc(made, (n + 1) * sizeof(*made));
		made[n] = false;
	}
	cleanup_free char *shared = path_join(work, "shared");
	char *path = xasprintf("%s/%zu", shared, k);
	int r = 0;
	if (!made[k]) {
		/* What a kept work directory of an earlier run left goes. */
		r = rm_rf(path, err) < 0 || mkdir_p(shared, 0755, err) < 0 ? -1 : make(rc, path, arg, err);
		made[k] = r == 0;
	}
	pthread_mutex_unlock(&lock);
	if (r != 0) {
		free(path);
		return r;
	}
	*ret_path = path;
	return 0;
}

char *ctr_stage_file(const struct method_ctx *rc, struct method_cmd *c, const char *src,
		     const char *name)
{
	const char *b = strrchr(src, '/');
	char *inside = path_join(rc->tree->container_dir, name ? name : b ? b + 1 : src);
	strv_push(&c->stage_src, src);
	strv_push(&c->stage_dst, inside);
	return inside;
}

char *ctr_stage(const struct method_ctx *rc, struct method_cmd *c)
{
	/* The image's own program runs where it is. */
	if (rc->image_program)
		return xstrdup(rc->image_program);
	char *inside = ctr_stage_file(rc, c, rc->binary, NULL);
	for (size_t i = 0; rc->companions && rc->companions[i]; i++)
		free(ctr_stage_file(rc, c, rc->companions[i], NULL));
	return inside;
}

char **ctr_env(const struct method_ctx *rc)
{
	char **env = NULL;
	strv_push(&env, "LC_ALL=C");
	if (!rc->lazy)
		strv_push(&env, "LD_BIND_NOW=1");
	/* A foreign tree's programs run under the qemu binfmt_misc starts:
	 * it reads the process's environment, as method_emulate's does. */
	if (rc->tree->rootfs && (!arch_host() || strcmp(rc->tree->rootfs->arch, arch_host()->gnu) != 0))
		strv_push(&env, "QEMU_LOG=unimp");
	return env;
}

void ctr_expect_rootfs(const struct method_ctx *rc, struct method_cmd *c)
{
	c->expect_dirs = ctr_rootfs_dirs(rc->tree->rootfs);
	c->expect.glibc_version = strcmp(rc->tree->rootfs->glibc_version, "none") ? rc->tree->rootfs->glibc_version
									    : NULL;
	c->expect.libdirs = c->expect_dirs;
	c->expect_ld = ctr_rootfs_loader(rc->tree->rootfs, rc->binary);
	c->expect_libc = *rc->tree->rootfs->libc ? resolve_in(rc->tree->rootfs->root, rc->tree->rootfs->libc) : NULL;
	c->expect.ld_host = c->expect_ld;
	c->expect.libc_host = c->expect_libc;
}

/* The host file of run's libc.so.6, or NULL. */
static char *run_libc(const struct sysroot *run)
{
	for (size_t i = 0; run->libdirs && run->libdirs[i]; i++) {
		char *p = path_join(run->libdirs[i], "libc.so.6");
		if (path_is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

static int make_libc_link(const struct method_ctx *rc, const char *dir, void *arg,
			  struct gm_err **err)
{
	(void)rc;
	cleanup_free char *link_ = path_join(dir, "libc.so.6");
	if (mkdir_p(dir, 0755, err) < 0)
		return -1;
	if (symlink(arg, link_) < 0)
		return gm_infra(err, errno, "cannot create '%s'", link_);
	return 0;
}

/* A directory whose libc.so.6 is run's and holds nothing else, searched
 * before the tree's own: one per run sysroot (shared/<n>/libc.so.6, so its
 * libc is read once), NULL (+ err if it could not be made) when run has no
 * libc.so.6. */
static char *libc_only_dir(const struct method_ctx *rc, const struct sysroot *run,
			   struct gm_err **err)
{
	for (size_t i = 0; run->libdirs[i]; i++) {
		cleanup_free char *libc = path_join(run->libdirs[i], "libc.so.6");
		if (!path_exists(libc))
			continue;
		cleanup_free char *key = xasprintf("libc-only\t%s", libc);
		char *dir;
		return ctr_shared(rc, key, make_libc_link, libc, &dir, err) == 0 ? dir : NULL;
	}
	return NULL;
}

static int make_glibc_links(const struct method_ctx *rc, const char *dir, void *arg,
			    struct gm_err **err)
{
	(void)rc;
	cleanup_strv char **files = strv_split(arg, ":");
	if (mkdir_p(dir, 0755, err) < 0)
		return -1;
	for (size_t i = 0; files[i]; i++) {
		const char *b = strrchr(files[i], '/');
		cleanup_free char *link_ = path_join(dir, b ? b + 1 : files[i]);
		if (symlink(files[i], link_) < 0 && errno != EEXIST)
			return gm_infra(err, errno, "cannot create '%s'", link_);
	}
	return 0;
}

/* A directory holding exactly the files the hook injects from run (its
 * glibc's libraries, as ctr_glibc_files lists them), for the prediction:
 * run's directories may hold other libraries (the host's hold all of
 * them, an import its C++ runtime) that the hook leaves out, and the
 * tree's own are then what the program gets.  NULL + err on failure. */
static char *glibc_only_dir(const struct method_ctx *rc, const struct sysroot *run,
			    struct gm_err **err)
{
	cleanup_free char *files = ctr_glibc_files(run, false);
	cleanup_free char *key = xasprintf("glibc-only\t%s", files);
	char *dir;
	return ctr_shared(rc, key, make_glibc_links, files, &dir, err) == 0 ? dir : NULL;
}

/* s with its prefix from (a directory, before a '/') written as to. */
static void rename_dir(char **s, const char *from, const char *to)
{
	size_t n = strlen(from);
	char *at = *s ? strstr(*s, from) : NULL;
	if (!at || at[n] != '/')
		return;
	char *r = xasprintf("%.*s%s%s", (int)(at - *s), *s, to, at + n);
	free(*s);
	*s = r;
}

/* The prediction names the libc-only directory as the cell's own,
 * workdir/libc-only: where the report has always said the injected libc
 * sat beside nothing else (the cell's work is gone after the run either
 * way). */
static void name_libc_only(struct gm_prediction *p, const char *shared, const char *workdir)
{
	cleanup_free char *own = path_join(workdir, "libc-only");
	for (size_t i = 0; i < p->n_problems; i++) {
		rename_dir(&p->problems[i].object, shared, own);
		rename_dir(&p->problems[i].library, shared, own);
	}
	for (size_t i = 0; p->libraries && p->libraries[i]; i++)
		rename_dir(&p->libraries[i], shared, own);
	for (size_t i = 0; p->host_libs && p->host_libs[i]; i++)
		rename_dir(&p->host_libs[i], shared, own);
}

static int predict_in_tree(const struct method_ctx *rc, const struct sysroot *injected,
			   bool libc_only, char *const *first, struct gm_prediction *p,
			   struct gm_err **err);

int ctr_predict(const struct method_ctx *rc, const struct sysroot *injected, bool libc_only,
		struct gm_prediction *p, struct gm_err **err)
{
	/* Libraries our hook registers in the tree's ld.so.cache: the cache
	 * names them before the loader's default directories. */
	cleanup_strv char **first = xcalloc(1, sizeof(char *));
	char *const *libs = rc->tree->hook && !rc->tree->hook->path ? rc->tree->hook->inject_libs
								     : NULL;
	for (size_t i = 0; libs && libs[i]; i++) {
		cleanup_free char *copy = xstrdup(libs[i]);
		char *d = dirname(copy);
		if (!strv_contains(first, d))
			strv_push(&first, d);
	}
	return predict_in_tree(rc, injected, libc_only, first, p, err);
}

int ctr_predict_with(const struct method_ctx *rc, char *const *first, struct gm_prediction *p,
		     struct gm_err **err)
{
	return predict_in_tree(rc, NULL, false, first, p, err);
}

/* Where an injected distribution libc finds its gconv modules: its
 * compiled-in directory (/usr/lib/<triplet>/gconv, the sysroot's own path
 * below its root) as it resolves inside the tree, which keeps the tree's
 * own modules there, or none (RHEL's layout has /usr/lib64/gconv): an
 * empty list then.  NULL when the injected glibc has no modules to say
 * where. */
static char *gconv_now(const void *root, const void *injected_)
{
	const struct sysroot *injected = injected_;
	cleanup_free char *g = method_gconv_dir(injected);
	size_t n = strcmp(injected->dir, "/") == 0 ? 0 : strlen(injected->dir);
	if (!g || (n && (strncmp(g, injected->dir, n) != 0 || g[n] != '/')))
		return NULL;
	/* resolve_now, not resolve_in: memo's lock is held here. */
	char *in = resolve_now(root, g + n);
	return in ? in : xstrdup("");
}

static char **inject_gconv_dirs(const struct rootfs *r, const struct sysroot *injected)
{
	/* Per tree and injected glibc, not per cell (memo). */
	cleanup_free char *key = xasprintf("gconv\n%s\n%s", r->root, injected->dir);
	cleanup_free char *dir = memo(key, gconv_now, r->root, injected);
	if (!dir)
		return NULL;
	char **v = xcalloc(1, sizeof(char *));
	if (*dir)
		strv_push(&v, dir);
	return v;
}

static int predict_in_tree(const struct method_ctx *rc, const struct sysroot *injected,
			   bool libc_only, char *const *first, struct gm_prediction *p,
			   struct gm_err **err)
{
	const struct rootfs *r = rc->tree->rootfs;
	bool inject = injected && ctr_injects(r, injected);
	cleanup_free char *own = ctr_rootfs_loader(r, rc->binary);
	cleanup_strv char **tree = ctr_rootfs_host_dirs(r);
	cleanup_strv char **sys = xcalloc(1, sizeof(char *));
	cleanup_free char *only = NULL, *set = NULL;
	cleanup_strv char **gconv = NULL;
	const char *interp = own, *interp_glibc = r->glibc_version;
	bool search_tree = true;

	for (size_t i = 0; first && first[i]; i++)
		strv_push(&sys, first[i]);
	if (inject && libc_only) {
		if (!(only = libc_only_dir(rc, injected, err)))
			return *err ? -1 : gm_infra(err, 0, "'%s' has no libc.so.6", injected->name);
		strv_push(&sys, only);
	} else if (inject && own) {
		/* The whole set takes the tree's names: the loader the binary
		 * names (and the tree has) is now injected's. */
		interp = injected->loader;
		interp_glibc = injected->glibc_version;
		/* A loader built from source searches only its configure
		 * prefix, which the container does not have: it finds no
		 * library at all, injected or not. */
		search_tree = injected->origin != ORIGIN_SOURCE;
		/* A distribution's loader searches the tree's multiarch
		 * directories, where the whole set replaced the files of the
		 * same name; the rest of the tree stays. */
		if (search_tree) {
			if (!(set = glibc_only_dir(rc, injected, err)))
				return -1;
			strv_push(&sys, set);
			gconv = inject_gconv_dirs(r, injected);
		}
	}
	for (size_t i = 0; search_tree && tree[i]; i++)
		strv_push(&sys, tree[i]);
	struct predict_env env = {
		.interp = interp,
		.system_dirs = sys,
		.dlopened = rc->dlopened,
		.runtime = rc->runtime,
		.gconv_dirs = gconv,
		.interp_glibc = strcmp(interp_glibc, "none") ? interp_glibc : NULL,
	};
	/* In a tree without a loader the kernel cannot start the binary. */
	if (!interp) {
		static char *const none[] = {NULL};
		env.interp = "(none in the root filesystem)";
		env.system_dirs = none;
	}
	int pr = predict_process(rc->binary, &env, p, err);
	if (pr == 0 && only)
		name_libc_only(p, only, rc->workdir);
	return pr;
}

static char *glibc_files_now(const void *run_, const void *libc_only_)
{
	const struct sysroot *run = run_;
	bool libc_only = *(const bool *)libc_only_;
	cleanup_strv char **names = xcalloc(1, sizeof(char *));
	char **files = xcalloc(1, sizeof(char *));
	if (!libc_only) {
		const char *b = strrchr(run->loader, '/');
		strv_push(&names, b ? b + 1 : run->loader);
		strv_push(&files, run->loader);
	}
	for (size_t i = 0; run->libdirs[i]; i++) {
		DIR *d = opendir(run->libdirs[i]);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			const char *n = e->d_name;
			/* Sonames only ("libm.so.6"): not the link-time names
			 * (libm.so, a linker script) nor libm-2.44.a. */
			if (!strstr(n, ".so.") || strv_contains(names, n) ||
			    (libc_only ? strcmp(n, "libc.so.6") != 0 : !glibc_is_glibc_lib(n)))
				continue;
			strv_push(&names, n);
			strv_push_take(&files, path_join(run->libdirs[i], n));
		}
		if (d)
			closedir(d);
	}
	char *s = method_join_colon(files);
	strv_free(files);
	return s;
}

char *ctr_glibc_files(const struct sysroot *run, bool libc_only)
{
	cleanup_free char *dirs = method_join_colon(run->libdirs);
	cleanup_free char *key = xasprintf("glibc\t%s\t%s\t%d", run->loader, dirs, libc_only);
	return memo(key, glibc_files_now, run, &libc_only);
}

int ctr_inject_hook(const struct method_ctx *rc, bool libc_only, struct method_cmd *c,
		    struct gm_err **err)
{
	cleanup_free char *files = ctr_glibc_files(rc->run, libc_only);
	if (rc->tree->hook && rc->tree->hook->path) {
		strv_push(&c->hook_argv, rc->tree->hook->path);
		for (size_t i = 0; rc->tree->hook->args && rc->tree->hook->args[i]; i++)
			strv_push(&c->hook_argv, rc->tree->hook->args[i]);
		for (size_t i = 0; rc->tree->hook->env && rc->tree->hook->env[i]; i++)
			strv_push(&c->hook_env, rc->tree->hook->env[i]);
	} else {
		const char *ours = oci_hook_binary(rc->cfg, err);
		if (!ours)
			return -1;
		strv_push(&c->hook_argv, ours);
		if (libc_only)
			strv_push(&c->hook_argv, "--partial");
		char *const *libs = rc->tree->hook ? rc->tree->hook->inject_libs : NULL;
		for (size_t i = 0; libs && libs[i]; i++) {
			strv_push(&c->hook_argv, "--lib");
			strv_push(&c->hook_argv, libs[i]);
		}
		if (libs && libs[0])
			strv_push(&c->hook_argv, "--update-cache");
	}
	strv_push_take(&c->hook_env, xasprintf("GLIBC_LIBS=%s", files));
	strv_push(&c->hook_env, "LDCONFIG_PATH=/sbin/ldconfig");
	strv_push(&c->hook_env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	return 0;
}

int ctr_prepare_staged(const struct method_ctx *rc, struct method_cmd *c, struct gm_err **err)
{
	(void)err;
	strv_push_take(&c->argv, ctr_stage(rc, c));
	method_push_args(&c->argv, rc);
	c->env = ctr_env(rc);
	return 0;
}

int ctr_prepare_inject(const struct method_ctx *rc, bool libc_only, struct method_cmd *c,
		       struct gm_err **err)
{
	if (ctr_prepare_staged(rc, c, err) < 0 || ctr_inject_hook(rc, libc_only, c, err) < 0)
		return -1;
	ctr_expect_rootfs(rc, c);
	/* The injected files take the tree's names: libc.so.6 is run's, and
	 * so is the loader unless libc went in alone. */
	if (ctr_injects(rc->tree->rootfs, rc->run)) {
		c->expect.glibc_version = rc->run->glibc_version;
		free(c->expect_libc);
		c->expect_libc = run_libc(rc->run);
		if (!libc_only) {
			free(c->expect_ld);
			c->expect_ld = rc->run->loader ? xstrdup(rc->run->loader) : NULL;
		}
		c->expect.ld_host = c->expect_ld;
		c->expect.libc_host = c->expect_libc;
	}
	return 0;
}
