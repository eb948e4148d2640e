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
#include <limits.h>
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
	free(s->suite);
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
	strv_free(s->packages);
	strv_free(s->with);
	strv_free(s->suite_with);
	strv_free(s->suite_libdirs);
	strv_free(s->shipped);
	strv_free(s->unshipped);
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
	cleanup_free char *origin = sysroot_origin_text(s);
	put_str(o, "origin", origin);
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
	if (s->packages && s->packages[0])
		put_strv(o, "packages", s->packages);
	if (s->with && s->with[0])
		put_strv(o, "with", s->with);
	if (s->suite_with && s->suite_with[0])
		put_strv(o, "suite_with", s->suite_with);
	if (s->suite_libdirs && s->suite_libdirs[0])
		put_strv(o, "suite_libdirs", s->suite_libdirs);
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
			return gm_usage(err, "'%s': field '%s' missing or not a string", path, k);
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
		return gm_usage(err, "'%s': field '%s' is not an array", path, k);
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return gm_usage(err, "'%s': field '%s' holds a non-string", path, k);
		strv_push(ret, json_object_get_string(e));
	}
	return 0;
}

/* true if p names dir itself (only when may_be_dir) or something below it,
 * spelled without "." or ".." components or empty ones: such a path cannot
 * leave dir lexically.  Symbolic links are checked by within_real(). */
static bool below(const char *p, const char *dir, bool may_be_dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(p, dir, n) != 0)
		return false;
	if (p[n] == '\0')
		return may_be_dir;
	if (p[n] != '/' || p[n + 1] == '\0')
		return false;
	for (const char *c = p + n + 1; *c;) {
		size_t len = strcspn(c, "/");
		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len + (c[len] == '/');
	}
	return true;
}

static int check_path(const char *v, const char *k, const char *dir, bool may_be_dir,
		      const char *path, struct gm_err **err)
{
	if (below(v, dir, may_be_dir))
		return 0;
	return gm_infra(err, 0, "'%s': %s '%s' is not inside the sysroot directory '%s'", path, k,
			v, dir);
}

/* Everything the manifest says that the harness later uses as a path or a
 * program is checked here, against the directory the manifest sits in: a
 * manifest is data from the store, and a store can be shared, copied or
 * tampered with.  The name becomes store paths, the loader is executed,
 * library and header directories go on command lines. */
static int validate(const struct sysroot *s, const char *dir, const char *path,
		    struct gm_err **err)
{
	const char *base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	if (!store_name_valid(s->name))
		return gm_infra(err, 0,
				"'%s': name '%s' is not a valid sysroot name (letters, digits, "
				"'._+-', not starting with '.' or '-', at most 64)",
				path, s->name);
	if (strcmp(s->name, base) != 0)
		return gm_infra(err, 0, "'%s': name '%s' differs from its directory's name '%s'", path,
				s->name, base);
	if (!version_valid(s->glibc_version))
		return gm_infra(err, 0, "'%s': glibc_version '%s' is not a version", path,
				s->glibc_version);
	if (!arch_by_gnu(s->arch))
		return gm_infra(err, 0, "'%s': arch '%s' is not a known architecture", path, s->arch);
	if (check_path(s->prefix, "prefix", dir, true, path, err) < 0 ||
	    check_path(s->loader, "loader", dir, false, path, err) < 0)
		return -1;
	for (size_t i = 0; s->libdirs[i]; i++)
		if (check_path(s->libdirs[i], "library directory", dir, true, path, err) < 0)
			return -1;
	for (size_t i = 0; s->includedirs[i]; i++)
		if (check_path(s->includedirs[i], "header directory", dir, true, path, err) < 0)
			return -1;
	for (size_t i = 0; s->suite_libdirs[i]; i++)
		if (check_path(s->suite_libdirs[i], "library directory", dir, true, path, err) < 0)
			return -1;
	return 0;
}

int sysroot_parse(const char *text, const char *path, const char *dir, struct sysroot *s,
		  struct gm_err **err)
{
	memset(s, 0, sizeof(*s));
	size_t len = strlen(text);
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, len > INT_MAX ? INT_MAX : (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* json-c's word for a text that ends inside the value is "continue". */
	const char *why = jerr == json_tokener_continue	  ? "truncated"
			  : jerr != json_tokener_success  ? json_tokener_error_desc(jerr)
			  : !json_object_is_type(o, json_type_object) ? "another JSON value"
			  : text[used + strspn(text + used, " \t\r\n")] ? "text after the object"
								    : NULL;
	if (why) {
		if (o)
			json_object_put(o);
		return gm_usage(err, "'%s': not a JSON object (%s)", path, why);
	}
	int r = 0;
	r |= get_str(o, "name", true, &s->name, path, err);
	r |= get_str(o, "glibc_version", true, &s->glibc_version, path, err);
	r |= get_str(o, "arch", true, &s->arch, path, err);
	cleanup_free char *origin = NULL;
	if (get_str(o, "origin", true, &origin, path, err) == 0 &&
	    sysroot_origin_parse(origin, s) < 0)
		r |= gm_usage(err, "'%s': origin '%s': want source, debian:<suite>, host or rootfs",
			      path, origin);
	else if (!origin)
		r |= -1;
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
	r |= get_strv(o, "packages", &s->packages, path, err);
	r |= get_strv(o, "with", &s->with, path, err);
	r |= get_strv(o, "suite_with", &s->suite_with, path, err);
	r |= get_strv(o, "suite_libdirs", &s->suite_libdirs, path, err);
	json_object_put(o);
	s->dir = xstrdup(dir);
	if (r < 0 || validate(s, dir, path, err) < 0) {
		sysroot_release(s);
		return -1;
	}
	return 0;
}

/* The lexical check cannot see symbolic links: a loader that is a link to
 * /bin/sh is spelled inside the sysroot.  What exists must also resolve
 * inside the directory's own resolved path. */
static int within_real(const char *p, const char *k, const char *real_dir, const char *path,
		       struct gm_err **err)
{
	cleanup_free char *real = realpath(p, NULL);
	if (!real)
		return 0; /* absent: whoever opens it will say so */
	if (below(real, real_dir, true))
		return 0;
	return gm_infra(err, 0, "'%s': %s '%s' resolves to '%s', outside the sysroot '%s'", path, k,
			p, real, real_dir);
}

int sysroot_read(const char *dir, struct sysroot *s, struct gm_err **err)
{
	cleanup_free char *path = path_join(dir, SYSROOT_MANIFEST);
	cleanup_free char *text = NULL;
	memset(s, 0, sizeof(*s));
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	if (sysroot_parse(text, path, dir, s, err) < 0)
		return -1;
	cleanup_free char *real_dir = realpath(dir, NULL);
	int r = real_dir ? 0 : gm_infra(err, errno, "cannot resolve '%s'", dir);
	if (r == 0)
		r = within_real(s->loader, "loader", real_dir, path, err);
	for (size_t i = 0; r == 0 && s->libdirs[i]; i++)
		r = within_real(s->libdirs[i], "library directory", real_dir, path, err);
	for (size_t i = 0; r == 0 && s->includedirs[i]; i++)
		r = within_real(s->includedirs[i], "header directory", real_dir, path, err);
	for (size_t i = 0; r == 0 && s->suite_libdirs[i]; i++)
		r = within_real(s->suite_libdirs[i], "library directory", real_dir, path, err);
	if (r < 0)
		sysroot_release(s);
	return r;
}

char **host_multiarch_dirs(const struct gm_arch *a)
{
	char **v = xcalloc(1, sizeof(char *));
	const char *dirs[] = {"/lib", "/usr/lib"};
	for (size_t i = 0; a && i < 2; i++) {
		cleanup_free char *d = xasprintf("%s/%s", dirs[i], a->triplet);
		cleanup_free char *real = path_is_dir(d) ? realpath(d, NULL) : NULL;
		if (real && !strv_contains(v, real))
			strv_push(&v, real);
	}
	return v;
}

char **sysroot_all_libdirs(const struct sysroot *s)
{
	char **v = strv_dup(s->libdirs);
	for (size_t i = 0; s->suite_libdirs && s->suite_libdirs[i]; i++)
		if (!strv_contains(v, s->suite_libdirs[i]))
			strv_push(&v, s->suite_libdirs[i]);
	return v;
}

char *sysroot_path(const struct gm_config *cfg, const char *name)
{
	return xasprintf("%s/sysroots/%s", cfg->store, name);
}

int sysroot_find(const struct gm_config *cfg, const char *name, struct sysroot *ret, struct gm_err **err)
{
	if (!store_name_valid(name))
		return gm_usage(err, "'%s' is not a valid sysroot name", name);
	cleanup_free char *dir = sysroot_path(cfg, name);
	cleanup_free char *manifest = path_join(dir, SYSROOT_MANIFEST);
	if (!path_exists(manifest))
		return gm_usage(err, "no sysroot named '%s' in '%s' (see 'glibc-matrix sysroot list')",
				name, cfg->store);
	return sysroot_read(dir, ret, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct sysroot *)a)->name, ((const struct sysroot *)b)->name);
}

int sysroot_list_checked(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, char ***ret_invalid,
			 struct gm_err **err)
{
	cleanup_free char *dir = xasprintf("%s/sysroots", cfg->store);
	struct sysroot *v = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	/* No sysroots directory yet is an empty store; anything else (a file
	 * where the store should be, no permission) must not read as "none". */
	if (!d && errno != ENOENT)
		return gm_infra(err, errno, "cannot read the store's sysroots '%s'", dir);
	if (ret_invalid)
		*ret_invalid = xcalloc(1, sizeof(char *));
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			cleanup_free char *sub = path_join(dir, e->d_name);
			cleanup_free char *manifest = path_join(sub, SYSROOT_MANIFEST);
			struct gm_err *why = NULL;
			struct sysroot s;
			if (sysroot_read(sub, &s, &why) < 0) {
				/* No manifest: not a sysroot.  A bad one is a
				 * sysroot the user must hear about. */
				if (ret_invalid && path_exists(manifest))
					strv_push(ret_invalid, why ? why->msg : manifest);
				gm_err_free(&why);
				continue;
			}
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

int sysroot_list(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, struct gm_err **err)
{
	return sysroot_list_checked(cfg, ret, ret_n, NULL, err);
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
	s->origin = ORIGIN_HOST;
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

char *sysroot_origin_text(const struct sysroot *s)
{
	switch (s->origin) {
	case ORIGIN_DEBIAN: return xasprintf("debian:%s", s->suite ? s->suite : "");
	case ORIGIN_HOST: return xstrdup("host");
	case ORIGIN_ROOTFS: return xstrdup("rootfs");
	case ORIGIN_SOURCE: break;
	}
	return xstrdup("source");
}

int sysroot_origin_parse(const char *text, struct sysroot *s)
{
	static const struct {
		const char *text;
		enum sysroot_origin o;
	} plain[] = {{"source", ORIGIN_SOURCE}, {"host", ORIGIN_HOST}, {"rootfs", ORIGIN_ROOTFS}};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(text, plain[i].text) == 0) {
			s->origin = plain[i].o;
			return 0;
		}
	if (!str_starts(text, "debian:") || !text[strlen("debian:")])
		return -1;
	s->origin = ORIGIN_DEBIAN;
	free(s->suite);
	s->suite = xstrdup(text + strlen("debian:"));
	return 0;
}

char **sysroot_system_dirs(const struct sysroot *s)
{
	char **v = xcalloc(1, sizeof(char *));
	if (s->origin == ORIGIN_SOURCE) {
		for (size_t i = 0; s->libdirs[i]; i++)
			strv_push(&v, s->libdirs[i]);
		return v;
	}
	strv_free(v);
	return distribution_dirs(s->arch);
}

char **distribution_dirs(const char *arch)
{
	char **v = xcalloc(1, sizeof(char *));
	/* A distribution's loader searches its multiarch directories first. */
	const struct gm_arch *a = arch_by_gnu(arch);
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
