#define _GNU_SOURCE
#include "cli/select.h"
#include "store/resolve.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/ui.h"
#include "base/util.h"
#include "verdict/predict.h"

#include <getopt.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

const char *host_arch(void)
{
	const struct gm_arch *a = arch_host();
	return a ? a->gnu : "unknown";
}

int select_arch(const char *name, const char **ret, struct gm_err **err)
{
	const struct gm_arch *a = arch_by_deb(name);
	if (!a)
		a = arch_by_gnu(name);
	if (!a || !a->proven)
		return gm_usage(err, "--arch '%s': want one of %s (or their GNU names)", name,
				arch_proven_debs());
	*ret = a->gnu;
	return 0;
}

int select_all_sysroots(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, struct gm_err **err)
{
	cleanup_strv char **invalid = NULL;
	if (sysroot_list_checked(cfg, ret, ret_n, &invalid, err) < 0)
		return -1;
	for (size_t i = 0; invalid && invalid[i]; i++)
		gm_note(NULL, "warning: skipping a sysroot (remove it with 'sysroot remove'): %s",
			invalid[i]);
	return 0;
}

int select_sysroots(const struct gm_config *cfg, char *const *names, const char *arch, struct sysroot **ret, size_t *ret_n,
		    struct gm_err **err)
{
	struct sysroot *v = NULL;
	size_t n = 0;
	if (!strv_len(names)) {
		struct sysroot *all;
		size_t na;
		if (select_all_sysroots(cfg, &all, &na, err) < 0)
			return -1;
		for (size_t i = 0; i < na; i++) {
			if (arch && strcmp(all[i].arch, arch) != 0) {
				sysroot_release(&all[i]);
				continue;
			}
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = all[i];
		}
		free(all);
	} else {
		for (size_t i = 0; names[i]; i++) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			if (strcmp(names[i], "host") == 0) {
				sysroot_host(&v[n]);
			} else if (sysroot_resolve(cfg, NULL, names[i], arch, &v[n], err) < 0) {
				sysroot_list_free(v, n);
				return -1;
			}
			n++;
		}
	}
	if (!n) {
		free(v);
		return gm_usage(err, "no sysroots%s%s in the store '%s' (glibc-matrix sysroot build/import)",
				arch ? " for " : "", arch ? arch : "", cfg->store);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int select_methods(char *const *names, unsigned default_caps, const struct method ***ret,
		   size_t *ret_n, struct gm_err **err)
{
	const struct method *const *all = method_all();
	size_t n_all = 0, n = 0;
	while (all[n_all])
		n_all++;
	const struct method **v = xcalloc(n_all + strv_len(names) + 1, sizeof(*v));
	if (!strv_len(names)) {
		for (size_t i = 0; all[i]; i++)
			if ((all[i]->caps & default_caps) == default_caps)
				v[n++] = all[i];
	} else {
		for (size_t i = 0; names[i]; i++) {
			const struct method *m = method_find(names[i]);
			if (!m) {
				free(v);
				cleanup_free char *known = method_names(0);
				return gm_usage(err, "unknown method '%s' (%s)", names[i], known);
			}
			for (size_t k = 0; k < n; k++)
				if (v[k] == m) {
					free(v);
					return gm_usage(err, "method '%s' given twice", names[i]);
				}
			v[n++] = m;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int select_cases(const struct gm_cases *all, char *const *names, bool with_test_only,
		 const struct gm_case ***ret, size_t *ret_n, struct gm_err **err)
{
	const struct gm_case **v = xcalloc(all->n + strv_len(names) + 1, sizeof(*v));
	size_t n = 0;
	if (!strv_len(names)) {
		for (size_t i = 0; i < all->n; i++)
			if (with_test_only || !all->v[i].test_only)
				v[n++] = &all->v[i];
	} else {
		for (size_t i = 0; names[i]; i++) {
			const struct gm_case *c = cases_find(all, names[i]);
			if (!c) {
				free(v);
				return gm_usage(err, "unknown case '%s' (see 'glibc-matrix probes list')",
						names[i]);
			}
			v[n++] = c;
		}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void rootfs_list_free(struct rootfs *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rootfs_release(&v[i]);
	free(v);
}

int select_rootfs(const struct gm_config *cfg, char *const *names, const char *arch, struct rootfs **ret, size_t *ret_n,
		  struct gm_err **err)
{
	cleanup_strv char **all = NULL;
	bool every = strv_len(names) == 1 && strcmp(names[0], "all") == 0;
	if (every && rootfs_names(cfg, &all, err) < 0)
		return -1;
	char *const *want = every ? all : names;
	struct rootfs *v = xcalloc(strv_len(want) + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; want && want[i]; i++) {
		struct rootfs r;
		int have = rootfs_load(cfg, want[i], &r, err);
		if (have <= 0) {
			rootfs_list_free(v, n);
			return have < 0 ? -1
					: gm_usage(err, "no root filesystem '%s' (glibc-matrix rootfs "
							"build %s)", want[i], want[i]);
		}
		if (every && arch && strcmp(r.arch, arch) != 0) {
			rootfs_release(&r);
			continue;
		}
		v[n++] = r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void container_hook_words(const struct container_opts *o, char ***words)
{
	for (size_t i = 0; o->inject_libs && o->inject_libs[i]; i++) {
		strv_push(words, "--inject-lib");
		strv_push(words, o->inject_libs[i]);
	}
	if (!o->hook)
		return;
	strv_push(words, "--hook");
	strv_push(words, o->hook);
	for (size_t i = 0; o->hook_args && o->hook_args[i]; i++) {
		strv_push(words, "--hook-arg");
		strv_push(words, o->hook_args[i]);
	}
	for (size_t i = 0; o->hook_env && o->hook_env[i]; i++) {
		strv_push(words, "--hook-env");
		strv_push(words, o->hook_env[i]);
	}
}

int container_opt(int c, const char *arg, struct container_opts *o, struct gm_err **err)
{
	switch (c) {
	case CONTAINER_OPT_ROOTFS:
		strv_push(&o->rootfs, arg);
		return 1;
	case CONTAINER_OPT_HOOK:
		free(o->hook);
		o->hook = path_absolute(arg);
		if (!path_is_file(o->hook) || access(o->hook, X_OK) < 0)
			return gm_usage(err, "--hook '%s': not an executable file", arg);
		return 1;
	case CONTAINER_OPT_HOOK_ARG:
		strv_push(&o->hook_args, arg);
		return 1;
	case CONTAINER_OPT_INJECT_LIB: {
		char *f = path_absolute(arg);
		if (!path_is_file(f)) {
			free(f);
			return gm_usage(err, "--inject-lib '%s': not a file", arg);
		}
		strv_push_take(&o->inject_libs, f);
		return 1;
	}
	case CONTAINER_OPT_HOOK_ENV:
		if (!strchr(arg, '=') || arg[0] == '=')
			return gm_usage(err, "--hook-env '%s': want NAME=VALUE", arg);
		strv_push(&o->hook_env, arg);
		return 1;
	}
	return 0;
}

int container_select(const struct gm_config *cfg, struct container_opts *o, bool methods_named, const char *arch,
		     const struct method **ms, size_t *n_ms, struct trees *t,
		     const struct method_hook **ret_hook, struct gm_err **err)
{
	bool want = false;
	size_t n = 0;
	*ret_hook = NULL;
	if (!o->hook && (strv_len(o->hook_args) || strv_len(o->hook_env)))
		return gm_usage(err, "--hook-arg and --hook-env need --hook");
	if (o->hook && strv_len(o->inject_libs))
		return gm_usage(err, "--inject-lib is for our hook; --hook names another (give it "
				     "the library with --hook-arg)");
	for (size_t k = 0; k < *n_ms; k++) {
		if (method_in_container(ms[k]) && !methods_named && !strv_len(o->rootfs))
			continue;
		want |= method_in_container(ms[k]);
		ms[n++] = ms[k];
	}
	*n_ms = n;
	if (!want) {
		if (strv_len(o->rootfs))
			return gm_usage(err, "--rootfs: no container method is selected");
		if (o->hook)
			return gm_usage(err, "--hook: no container method is selected");
		return 0;
	}
	if (!strv_len(o->rootfs))
		strv_push(&o->rootfs, "all");
	if (select_rootfs(cfg, o->rootfs, arch, &t->v, &t->n, err) < 0)
		return -1;
	if (!t->n)
		return gm_usage(err, "no root filesystem%s%s in the store for the container methods "
				"(glibc-matrix rootfs build --all)", arch ? " for " : "",
				arch ? arch : "");
	t->own = xcalloc(t->n, sizeof(*t->own));
	t->progs = xcalloc(t->n, sizeof(*t->progs));
	for (size_t i = 0; i < t->n; i++) {
		rootfs_as_sysroot(&t->v[i], &t->own[i]);
		if (ownprogs_load(cfg, &t->v[i], &t->progs[i], err) < 0)
			return -1;
	}
	if (o->hook || strv_len(o->inject_libs)) {
		o->method_hook = (struct method_hook){.path = o->hook, .args = o->hook_args,
						    .env = o->hook_env, .inject_libs = o->inject_libs};
		*ret_hook = &o->method_hook;
	}
	return 0;
}

void container_opts_release(struct container_opts *o)
{
	strv_free(o->rootfs);
	strv_free(o->hook_args);
	strv_free(o->hook_env);
	strv_free(o->inject_libs);
	free(o->hook);
	memset(o, 0, sizeof(*o));
}

void trees_release(struct trees *t)
{
	for (size_t i = 0; t->progs && i < t->n; i++)
		ownprogs_release(&t->progs[i]);
	free(t->progs);
	sysroot_list_free(t->own, t->n);
	rootfs_list_free(t->v, t->n);
	memset(t, 0, sizeof(*t));
}

/* Host directories of the libraries beyond glibc that binary needs. */
char **select_host_lib_dirs(const char *binary, char ***ret_libs)
{
	struct sysroot host;
	struct gm_prediction p;
	char **dirs = xcalloc(1, sizeof(char *));
	*ret_libs = xcalloc(1, sizeof(char *));
	sysroot_host(&host);
	if (predict_loader(binary, &host, &p, NULL) == 0) {
		for (size_t i = 0; p.host_libs[i]; i++) {
			cleanup_free char *copy = xstrdup(p.host_libs[i]);
			const char *d = dirname(copy);
			if (!strv_contains(dirs, d))
				strv_push(&dirs, d);
			strv_push(ret_libs, p.host_libs[i]);
		}
		prediction_release(&p);
	}
	sysroot_release(&host);
	return dirs;
}
