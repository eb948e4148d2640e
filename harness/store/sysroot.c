#define _GNU_SOURCE
#include "store/sysroot.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "elf/glibcbuild.h"
#include "store/store.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <json.h>
#include <stdlib.h>
#include <string.h>

void sysroot_release(struct sysroot *s)
{
	free(s->name);
	free(s->glibc_version);
	free(s->arch);
	free(s->origin);
	free(s->dir);
	free(s->prefix);
	free(s->loader);
	strv_free(s->libdirs);
	strv_free(s->includedirs);
	free(s->source_sha256);
	strv_free(s->configure_args);
	free(s->compiler);
	free(s->package_version);
	free(s->cache_key);
	free(s->created);
	free(s->build_log);
	free(s->signature);
	memset(s, 0, sizeof(*s));
}

static void put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void put_strv(json_object *o, const char *k, char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, k, a);
}

char *sysroot_to_json(const struct sysroot *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "schema", json_object_new_int(SYSROOT_SCHEMA));
	put_str(o, "name", s->name);
	put_str(o, "glibc_version", s->glibc_version);
	put_str(o, "arch", s->arch);
	put_str(o, "origin", s->origin);
	put_str(o, "prefix", s->prefix);
	put_str(o, "loader", s->loader);
	put_strv(o, "libdirs", s->libdirs);
	put_strv(o, "includedirs", s->includedirs);
	put_str(o, "source_sha256", s->source_sha256);
	put_strv(o, "configure_args", s->configure_args);
	put_str(o, "compiler", s->compiler);
	put_str(o, "package_version", s->package_version);
	put_str(o, "cache_key", s->cache_key);
	put_str(o, "created", s->created);
	put_str(o, "build_log", s->build_log);
	if (s->signature && *s->signature)
		put_str(o, "signature", s->signature);
	char *r = xasprintf("%s\n", json_object_to_json_string_ext(
					    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return r;
}

int sysroot_write(const char *dir, const struct sysroot *s, struct gm_err **err)
{
	cleanup_free char *text = sysroot_to_json(s);
	cleanup_free char *path = path_join(dir, SYSROOT_MANIFEST);
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

static int get_str(json_object *o, const char *k, bool required, char **ret, const char *path,
		   struct gm_err **err)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string)) {
		if (required)
			return gm_infra(err, 0, "'%s': field '%s' missing or not a string", path, k);
		*ret = xstrdup("");
		return 0;
	}
	*ret = xstrdup(json_object_get_string(v));
	return 0;
}

static int get_strv(json_object *o, const char *k, char ***ret, const char *path,
		    struct gm_err **err)
{
	json_object *v;
	*ret = xcalloc(1, sizeof(char *));
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return gm_infra(err, 0, "'%s': field '%s' is not an array", path, k);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return gm_infra(err, 0, "'%s': field '%s' holds a non-string", path, k);
		strv_push(ret, json_object_get_string(e));
	}
	return 0;
}

int sysroot_read(const char *dir, struct sysroot *s, struct gm_err **err)
{
	cleanup_free char *path = path_join(dir, SYSROOT_MANIFEST);
	cleanup_free char *text = NULL;
	memset(s, 0, sizeof(*s));
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || jerr != json_tokener_success || !json_object_is_type(o, json_type_object)) {
		if (o)
			json_object_put(o);
		return gm_infra(err, 0, "'%s': not a JSON object (%s)", path,
				json_tokener_error_desc(jerr));
	}
	int r = 0;
	r |= get_str(o, "name", true, &s->name, path, err);
	r |= get_str(o, "glibc_version", true, &s->glibc_version, path, err);
	r |= get_str(o, "arch", true, &s->arch, path, err);
	r |= get_str(o, "origin", true, &s->origin, path, err);
	r |= get_str(o, "prefix", true, &s->prefix, path, err);
	r |= get_str(o, "loader", true, &s->loader, path, err);
	r |= get_strv(o, "libdirs", &s->libdirs, path, err);
	r |= get_strv(o, "includedirs", &s->includedirs, path, err);
	r |= get_str(o, "source_sha256", false, &s->source_sha256, path, err);
	r |= get_strv(o, "configure_args", &s->configure_args, path, err);
	r |= get_str(o, "compiler", false, &s->compiler, path, err);
	r |= get_str(o, "package_version", false, &s->package_version, path, err);
	r |= get_str(o, "cache_key", false, &s->cache_key, path, err);
	r |= get_str(o, "created", false, &s->created, path, err);
	r |= get_str(o, "build_log", false, &s->build_log, path, err);
	r |= get_str(o, "signature", false, &s->signature, path, err);
	json_object_put(o);
	s->dir = xstrdup(dir);
	if (r < 0) {
		sysroot_release(s);
		return -1;
	}
	return 0;
}

char *sysroot_path(const char *name)
{
	return xasprintf("%s/sysroots/%s", store_root(), name);
}

int sysroot_find(const char *name, struct sysroot *ret, struct gm_err **err)
{
	if (!store_name_valid(name))
		return gm_usage(err, "'%s' is not a valid sysroot name", name);
	cleanup_free char *dir = sysroot_path(name);
	cleanup_free char *manifest = path_join(dir, SYSROOT_MANIFEST);
	if (!path_exists(manifest))
		return gm_usage(err, "no sysroot named '%s' in '%s' (see 'glibc-matrix sysroot list')",
				name, store_root());
	return sysroot_read(dir, ret, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sysroot *)a)->name, ((const struct sysroot *)b)->name);
}

int sysroot_list(struct sysroot **ret, size_t *ret_n, struct gm_err **err)
{
	cleanup_free char *dir = xasprintf("%s/sysroots", store_root());
	struct sysroot *v = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	/* No sysroots directory yet is an empty store; anything else (a file
	 * where the store should be, no permission) must not read as "none". */
	if (!d && errno != ENOENT)
		return gm_infra(err, errno, "cannot read the store's sysroots '%s'", dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			cleanup_free char *sub = path_join(dir, e->d_name);
			struct sysroot s;
			if (sysroot_read(sub, &s, NULL) < 0)
				continue;
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = s;
		}
		closedir(d);
	}
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

void sysroot_list_free(struct sysroot *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sysroot_release(&v[i]);
	free(v);
}

void sysroot_host(struct sysroot *s)
{
	/* A machine outside the arch table gets no loader and no directories:
	 * every cell then says "no interpreter", never a guess. */
	const struct gm_arch *a = arch_host();
	struct utsname un;
	uname(&un);
	memset(s, 0, sizeof(*s));
	s->name = xstrdup("host");
	s->glibc_version = xstrdup(gnu_get_libc_version());
	s->arch = xstrdup(un.machine);
	s->origin = xstrdup("host");
	s->dir = xstrdup("/");
	s->prefix = xstrdup("/usr");
	s->loader = xstrdup(a ? a->loader_path : "");
	s->libdirs = xcalloc(1, sizeof(char *));
	if (a) {
		strv_push_take(&s->libdirs, xasprintf("/lib/%s", a->triplet));
		strv_push_take(&s->libdirs, xasprintf("/usr/lib/%s", a->triplet));
	}
	strv_push(&s->includedirs, "/usr/include");
	s->configure_args = xcalloc(1, sizeof(char *));
	s->source_sha256 = xstrdup("");
	s->compiler = xstrdup("");
	s->package_version = xstrdup("");
	s->cache_key = xstrdup("host");
	s->created = xstrdup("");
	s->build_log = xstrdup("");
}

char **sysroot_system_dirs(const struct sysroot *s)
{
	char **v = xcalloc(1, sizeof(char *));
	if (strcmp(s->origin, "source") == 0) {
		for (size_t i = 0; s->libdirs[i]; i++)
			strv_push(&v, s->libdirs[i]);
		return v;
	}
	/* A distribution's loader searches its multiarch directories first. */
	const struct gm_arch *a = arch_by_gnu(s->arch);
	if (a) {
		strv_push_take(&v, xasprintf("/lib/%s", a->triplet));
		strv_push_take(&v, xasprintf("/usr/lib/%s", a->triplet));
	}
	strv_push(&v, "/lib");
	strv_push(&v, "/usr/lib");
	return v;
}

char *sysroot_libc_build_id(const struct sysroot *s)
{
	for (size_t i = 0; s->libdirs && s->libdirs[i]; i++) {
		cleanup_free char *libc = path_join(s->libdirs[i], "libc.so.6");
		if (path_exists(libc))
			return glibc_build_id_short(libc);
	}
	return NULL;
}
