/* The JSON of container images (image.h): index, manifests, docker-archive
 * manifest.json, configs.  Pure: text in, fields out; the fuzz target
 * (tests/fuzz/fuzz-image.c) links this file alone. */
#define _GNU_SOURCE
#include "acquire/image.h"
#include "acquire/image-int.h"
#include "base/util.h"

#include <json-c/json.h>
#include <string.h>

bool image_digest_valid(const char *d)
{
	if (!d || !str_starts(d, "sha256:") || strlen(d) != 71)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!strchr("0123456789abcdef", *p))
			return false;
	return true;
}

json_object *image_json_parse(const char *text, size_t len, const char *what, struct gm_err **err)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error je = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!o || je != json_tokener_success) {
		json_object_put(o);
		gm_usage(err, "%s is not valid JSON (%s)", what, json_tokener_error_desc(je));
		return NULL;
	}
	return o;
}

const char *image_json_str(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

json_object *image_json_array(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

int image_descriptor(json_object *d, const char *what, const char **ret_digest,
		      long long *ret_size, struct gm_err **err)
{
	json_object *sz;
	const char *dg = image_json_str(d, "digest");
	if (!image_digest_valid(dg))
		return gm_usage(err, "%s: a descriptor's digest '%s' is not sha256:<64 hex digits>",
				what, dg ? dg : "(none)");
	if (!json_object_object_get_ex(d, "size", &sz) || !json_object_is_type(sz, json_type_int) ||
	    json_object_get_int64(sz) < 0)
		return gm_usage(err, "%s: the descriptor of %s has no valid size", what, dg);
	*ret_digest = dg;
	*ret_size = json_object_get_int64(sz);
	return 0;
}

int image_parse_manifest(const char *text, size_t len, const char *what, char **ret_config,
			 long long *ret_config_size, char ***ret_layers, long long **ret_sizes,
			 struct gm_err **err)
{
	json_object *o = image_json_parse(text, len, what, err);
	if (!o)
		return -1;
	json_object *cfg, *layers = image_json_array(o, "layers");
	const char *dg;
	long long size;
	int r = -1;
	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "config", &cfg) ||
	    !layers) {
		gm_usage(err, "%s is not an image manifest (no config or layers)", what);
		goto out;
	}
	size_t n = json_object_array_length(layers);
	if (n > IMAGE_MAX_LAYERS) {
		gm_usage(err, "%s: %zu layers, more than %d", what, n, IMAGE_MAX_LAYERS);
		goto out;
	}
	if (image_descriptor(cfg, what, &dg, &size, err) < 0)
		goto out;
	*ret_config = xstrdup(dg);
	*ret_config_size = size;
	*ret_layers = xcalloc(1, sizeof(char *));
	*ret_sizes = xcalloc(n + 1, sizeof(long long));
	for (size_t i = 0; i < n; i++) {
		json_object *l = json_object_array_get_idx(layers, i);
		const char *mt = image_json_str(l, "mediaType");
		if (mt && (!strstr(mt, "tar") || strstr(mt, "encrypted"))) {
			gm_usage(err, "%s: layer %zu has media type '%s', not a tar layer", what, i + 1, mt);
			goto fail;
		}
		if (image_descriptor(l, what, &dg, &(*ret_sizes)[i], err) < 0)
			goto fail;
		strv_push(ret_layers, dg);
	}
	r = 0;
	goto out;
fail:
	free(*ret_config);
	strv_free(*ret_layers);
	free(*ret_sizes);
out:
	json_object_put(o);
	return r;
}

/* A docker-archive's member name: relative, no "..", nothing odd. */
static bool member_valid(const char *s)
{
	if (!s || !*s || *s == '/' || strstr(s, "..") || strlen(s) > 512)
		return false;
	for (; *s; s++)
		if (!(strchr("._:-+/", *s) || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/* The strings of array arr, each accepted by valid, into *ret; -1 +
 * GM_EXIT_USAGE naming what and the item (label) otherwise. */
static int string_array(json_object *arr, bool (*valid)(const char *), const char *what,
			const char *label, const char *want, char ***ret, struct gm_err **err)
{
	*ret = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(arr) && i <= IMAGE_MAX_LAYERS; i++) {
		json_object *d = json_object_array_get_idx(arr, i);
		const char *s = json_object_is_type(d, json_type_string) ? json_object_get_string(d) : NULL;
		if (!valid(s)) {
			strv_free(*ret);
			*ret = NULL;
			return gm_usage(err, "%s: %s %zu '%s' is not %s", what, label, i + 1,
					s ? s : "(not a string)", want);
		}
		strv_push(ret, s);
	}
	return 0;
}

int image_parse_docker(const char *text, size_t len, const char *what, char **ret_config,
		       char ***ret_layers, struct gm_err **err)
{
	json_object *o = image_json_parse(text, len, what, err);
	if (!o)
		return -1;
	int r = -1;
	json_object *first = json_object_is_type(o, json_type_array) && json_object_array_length(o)
				     ? json_object_array_get_idx(o, 0) : NULL;
	const char *cfg = image_json_str(first, "Config");
	json_object *layers = image_json_array(first, "Layers");
	if (!cfg || !layers) {
		gm_usage(err, "%s is not a docker-archive manifest (no Config or Layers)", what);
		goto out;
	}
	size_t n = json_object_array_length(layers);
	if (n > IMAGE_MAX_LAYERS) {
		gm_usage(err, "%s: %zu layers, more than %d", what, n, IMAGE_MAX_LAYERS);
		goto out;
	}
	if (!member_valid(cfg)) {
		gm_usage(err, "%s: Config '%s' is not a plain relative name", what, cfg);
		goto out;
	}
	if (string_array(layers, member_valid, what, "layer", "a plain relative name", ret_layers,
			 err) < 0)
		goto out;
	*ret_config = xstrdup(cfg);
	r = 0;
out:
	json_object_put(o);
	return r;
}

const char *image_deb_arch(const char *go)
{
	static const char *const map[][2] = {{"386", "i386"}, {"ppc64le", "ppc64el"},
					      {"mips64le", "mips64el"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(go, map[i][0]) == 0)
			return map[i][1];
	return go;
}

int image_parse_config(const char *text, size_t len, const char *what, char **ret_arch,
		       char ***ret_diff_ids, struct gm_err **err)
{
	json_object *o = image_json_parse(text, len, what, err);
	if (!o)
		return -1;
	json_object *rootfs = NULL, *ids;
	const char *arch = image_json_str(o, "architecture");
	int r = -1;
	if (!arch || !json_object_object_get_ex(o, "rootfs", &rootfs) ||
	    !(ids = image_json_array(rootfs, "diff_ids"))) {
		gm_usage(err, "%s is not an image config (no architecture or rootfs.diff_ids)", what);
		goto out;
	}
	const char *os = image_json_str(o, "os");
	if (os && strcmp(os, "linux") != 0) {
		gm_usage(err, "%s: an image for '%s', not linux", what, os);
		goto out;
	}
	if (string_array(ids, image_digest_valid, what, "diff_id", "sha256:<64 hex digits>", ret_diff_ids,
			 err) < 0)
		goto out;
	*ret_arch = xstrdup(image_deb_arch(arch));
	r = 0;
out:
	json_object_put(o);
	return r;
}

