#define _GNU_SOURCE
#include "store/rootfs.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/tsv.h"
#include "base/util.h"
#include "store/rootpath.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

void rootfs_recipes_free(struct rootfs_recipe *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].suite);
		free(v[i].variant);
		strv_free(v[i].packages);
		free(v[i].usr);
		free(v[i].arch);
		free(v[i].glibc);
	}
	free(v);
}

/* The current row of t as a recipe; -1 + err naming the rule it breaks. */
static int recipe_row(const struct tsv *t, struct rootfs_recipe *r, struct gm_err **err)
{
	char *const *f = t->f;
	if (!store_name_valid(f[0]))
		return tsv_error(t, err, "'%s' is not a valid root filesystem name", f[0]);
	bool busybox = strcmp(f[2], "busybox") == 0;
	bool glibc = strcmp(f[2], "glibc") == 0;
	if (busybox != (strcmp(f[1], "-") == 0))
		return tsv_error(t, err, "SUITE is '-' for the busybox variant and only for it");
	/* A tree of a glibc built from source: the version in place of the
	 * suite, nothing from Debian, the host's architecture. */
	if (glibc && (!version_valid(f[1]) || strcmp(f[3], "-") != 0 || t->n == 6))
		return tsv_error(t, err, "the glibc variant takes a glibc version for SUITE ('%s'), "
				 "'-' for PACKAGES and no ARCH", f[1]);
	/* The architecture: a Debian name of the table, and only for a
	 * Debian suite (busybox is the host's). */
	const struct gm_arch *a = t->n == 6 ? arch_by_deb(f[5]) : NULL;
	if (t->n == 6 && (!a || busybox))
		return tsv_error(t, err, "ARCH '%s': a Debian architecture, not for busybox", f[5]);
	/* Merged-/usr or not is said, never left to what a suite's packages
	 * happen to do; an extract configures nothing, so only minbase and
	 * the larger variants take it. */
	bool configured = !busybox && strcmp(f[2], "extract") != 0;
	if (configured ? strcmp(f[4], "merged") != 0 && strcmp(f[4], "split") != 0
		       : strcmp(f[4], "-") != 0)
		return tsv_error(t, err, "USR '%s': 'merged' or 'split' for a configured variant, "
				 "'-' for extract and busybox", f[4]);
	r->name = xstrdup(f[0]);
	r->suite = busybox || glibc ? NULL : xstrdup(f[1]);
	r->glibc = glibc ? xstrdup(f[1]) : NULL;
	r->variant = xstrdup(f[2]);
	r->usr = xstrdup(f[4]);
	r->packages = xcalloc(1, sizeof(char *));
	r->arch = a && a != arch_host() ? xstrdup(a->deb) : NULL;
	if (strcmp(f[3], "-") != 0) {
		cleanup_strv char **pk = strv_split(f[3], ",");
		for (size_t i = 0; pk[i]; i++)
			if (*pk[i])
				strv_push(&r->packages, pk[i]);
	}
	return 0;
}

int rootfs_recipes(const struct gm_config *cfg, struct rootfs_recipe **ret, size_t *ret_n, struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->containers, "rootfs.tsv");
	struct tsv t;
	if (tsv_open(&t, path, err) < 0)
		return gm_err_wrap(err, "root filesystem recipes");
	struct rootfs_recipe *v = NULL;
	size_t n = 0;
	int r;
	while ((r = tsv_next(&t, 5, 6, "NAME, SUITE, VARIANT, PACKAGES, USR, [ARCH]", err)) == 1) {
		v = xrealloc(v, (n + 1) * sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		if ((r = recipe_row(&t, &v[n++], err)) < 0)
			break;
	}
	tsv_release(&t);
	if (r < 0) {
		rootfs_recipes_free(v, n);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void rootfs_release(struct rootfs *r)
{
	free(r->name);
	free(r->dir);
	free(r->root);
	free(r->tarball);
	free(r->arch);
	free(r->suite);
	free(r->variant);
	strv_free(r->packages);
	strv_free(r->with);
	free(r->source);
	free(r->usr);
	free(r->key);
	free(r->source_date);
	free(r->glibc_version);
	free(r->glibc_node);
	free(r->libc);
	free(r->created);
	memset(r, 0, sizeof(*r));
}

char *rootfs_key(const struct rootfs_recipe *rec, char *const *with, const char *arch,
		 const char *source_date)
{
	struct strbuf sb = STRBUF_INIT;
	/* A changed layout of the tree (mount points, usrmerge links, account
	 * files we add) is a new key. */
	strbuf_addf(&sb, "rootfs-v5\n%s\n%s\n%s\n%s\n", arch, rec->suite  ? rec->suite
						     : rec->glibc ? rec->glibc : "-",
		    rec->variant, rec->usr);
	strbuf_join(&sb, rec->packages, ",");
	strbuf_addstr(&sb, "\n");
	if (with)
		strbuf_join(&sb, with, ",");
	strbuf_addf(&sb, "\n%s\n", source_date);
	char hex[65];
	sha256_buf(strbuf_str(&sb), sb.len, hex);
	strbuf_release(&sb);
	hex[16] = '\0';
	return xstrdup(hex);
}

static char *jstr(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return xstrdup(json_object_get_string(v));
}

/* An array of strings (absent: empty; other members skipped). */
static char **jstrv(json_object *o, const char *key)
{
	char **sv = xcalloc(1, sizeof(char *));
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_string))
				strv_push(&sv, json_object_get_string(e));
		}
	return sv;
}

static json_object *jarray(char *const *sv)
{
	json_object *p = json_object_new_array();
	for (size_t i = 0; sv && sv[i]; i++)
		json_object_array_add(p, json_object_new_string(sv[i]));
	return p;
}

int rootfs_load(const struct gm_config *cfg, const char *name, struct rootfs *ret, struct gm_err **err)
{
	if (!store_name_valid(name))
		return gm_usage(err, "'%s' is not a valid root filesystem name", name);
	cleanup_free char *dir = xasprintf("%s/rootfs/%s", cfg->store, name);
	cleanup_free char *path = path_join(dir, "rootfs.json");
	if (!path_exists(path))
		return 0;
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	json_object *o = json_tokener_parse(text);
	if (!o)
		return gm_infra(err, 0, "'%s' is not valid JSON", path);
	struct rootfs r = {0};
	r.name = jstr(o, "name");
	r.arch = jstr(o, "arch");
	r.suite = jstr(o, "suite");
	r.variant = jstr(o, "variant");
	r.key = jstr(o, "key");
	r.source_date = jstr(o, "source_date");
	r.glibc_version = jstr(o, "glibc_version");
	r.glibc_node = jstr(o, "glibc_node");
	r.libc = jstr(o, "libc");
	r.created = jstr(o, "created");
	r.source = jstr(o, "source");
	if (!r.source)
		r.source = xstrdup("");
	r.usr = jstr(o, "usr");
	if (!r.usr)
		r.usr = xstrdup("");
	r.packages = jstrv(o, "packages");
	r.with = jstrv(o, "with");
	json_object *v;
	if (json_object_object_get_ex(o, "build_seconds", &v))
		r.build_seconds = json_object_get_double(v);
	if (json_object_object_get_ex(o, "size", &v))
		r.size = json_object_get_int64(v);
	json_object_put(o);
	/* The manifest must describe the directory it sits in. */
	if (!r.name || strcmp(r.name, name) != 0 || !r.key || !r.glibc_version || !r.arch) {
		rootfs_release(&r);
		return gm_infra(err, 0, "'%s' is incomplete or names another root filesystem", path);
	}
	r.dir = steal_pointer(&dir);
	r.root = path_join(r.dir, "root");
	r.tarball = path_join(r.dir, "rootfs.tar");
	*ret = r;
	return 1;
}

/* Strings that may be NULL in a struct still being filled appear as "". */
static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

json_object *rootfs_to_json(const struct rootfs *r)
{
	json_object *o = json_object_new_object();
	add_str(o, "name", r->name);
	add_str(o, "arch", r->arch);
	add_str(o, "suite", r->suite);
	add_str(o, "variant", r->variant);
	json_object_object_add(o, "packages", jarray(r->packages));
	json_object_object_add(o, "with", jarray(r->with));
	add_str(o, "source", r->source);
	add_str(o, "usr", r->usr);
	add_str(o, "key", r->key);
	add_str(o, "source_date", r->source_date);
	add_str(o, "glibc_version", r->glibc_version);
	add_str(o, "glibc_node", r->glibc_node);
	add_str(o, "libc", r->libc);
	add_str(o, "created", r->created);
	json_object_object_add(o, "build_seconds", json_object_new_double(r->build_seconds));
	json_object_object_add(o, "size", json_object_new_int64(r->size));
	return o;
}

int rootfs_write_manifest(const char *dir, const struct rootfs *r, struct gm_err **err)
{
	json_object *o = rootfs_to_json(r);
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	cleanup_free char *path = path_join(dir, "rootfs.json");
	cleanup_free char *body = xasprintf("%s\n", text);
	json_object_put(o);
	return write_file_atomic(path, body, strlen(body), 0644, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rootfs_names(const struct gm_config *cfg, char ***ret, struct gm_err **err)
{
	cleanup_free char *dir = path_join(cfg->store, "rootfs");
	char **v = xcalloc(1, sizeof(char *));
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT) {
			*ret = v;
			return 0;
		}
		strv_free(v);
		return gm_infra(err, errno, "cannot read '%s'", dir);
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && store_name_valid(e->d_name))
			strv_push(&v, e->d_name);
	closedir(d);
	qsort(v, strv_len(v), sizeof(char *), cmp_str);
	*ret = v;
	return 0;
}

void rootfs_as_sysroot(const struct rootfs *r, struct sysroot *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->name = xasprintf("rootfs-%s", r->name);
	ret->glibc_version = xstrdup(r->glibc_version);
	ret->arch = xstrdup(r->arch);
	ret->origin = ORIGIN_ROOTFS;
	ret->dir = xstrdup(r->root);
	ret->prefix = xstrdup(r->root);
	ret->libdirs = xcalloc(1, sizeof(char *));
	ret->includedirs = xcalloc(1, sizeof(char *));
	ret->configure_args = xcalloc(1, sizeof(char *));
	const struct gm_arch *a = arch_by_gnu(r->arch);
	cleanup_free char *loader = a && *r->libc ? rootpath_resolve(r->root, a->loader_path + 1)
						  : NULL;
	ret->loader = loader ? path_join(r->root, loader) : xstrdup("");
	if (*r->libc) {
		cleanup_free char *slash = xstrdup(r->libc);
		char *end = strrchr(slash, '/');
		if (end)
			*end = '\0';
		cleanup_free char *dir = rootpath_resolve(r->root, slash[0] == '/' ? slash + 1 : slash);
		if (dir)
			strv_push_take(&ret->libdirs, path_join(r->root, dir));
	}
	ret->source_sha256 = xstrdup(r->key);
	ret->compiler = xstrdup("");
	ret->package_version = xstrdup("");
	ret->cache_key = xstrdup(r->key);
	ret->created = xstrdup(r->created);
	ret->build_log = xstrdup("");
	ret->signature = xstrdup("");
}
