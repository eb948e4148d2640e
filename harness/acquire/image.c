#define _GNU_SOURCE
#include "acquire/image.h"
#include "acquire/archive.h"
#include "acquire/image-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/util.h"
#include "exec/proc.h"

#include <errno.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>

void image_info_release(struct image_info *i)
{
	free(i->source);
	free(i->digest);
	free(i->arch);
	memset(i, 0, sizeof(*i));
}

/* path as the image names it: relative to its layout's directory (the
 * unpacked archive's place in the store says nothing to the user). */
static const char *shown(const char *path)
{
	const char *b = strstr(path, "/blobs/sha256/");
	if (b)
		return b + 1;
	b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* A file of the image, checked: its sha256 is digest, and its size is
 * size unless that is < 0. */
static int blob_check(const char *path, const char *digest, long long size, const char *what,
		      struct gm_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return gm_usage(err, "%s: '%s' is missing (%s)", what, shown(path), strerror(errno));
	if (!S_ISREG(st.st_mode))
		return gm_usage(err, "%s: '%s' is not a regular file", what, shown(path));
	if (size >= 0 && st.st_size != size)
		return gm_usage(err, "%s: '%s' has %lld bytes, its descriptor says %lld", what, shown(path),
				(long long)st.st_size, size);
	char hex[65];
	if (sha256_file(path, hex, err) < 0)
		return -1;
	if (strcmp(hex, digest + 7) != 0)
		return gm_usage(err, "%s: '%s' has digest sha256:%s, not %s", what, shown(path), hex,
				digest);
	return 0;
}

/* A JSON file of the image, bounded, checked against digest when given. */
static int json_file(const char *path, const char *digest, long long size, const char *what,
		     char **ret, size_t *ret_len, struct gm_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return gm_usage(err, "%s: '%s' is missing (%s)", what, shown(path), strerror(errno));
	if (st.st_size > IMAGE_MAX_JSON)
		return gm_usage(err, "%s: '%s' has %lld bytes, more than %lld", what, shown(path),
				(long long)st.st_size, IMAGE_MAX_JSON);
	if (digest && blob_check(path, digest, size, what, err) < 0)
		return -1;
	return read_file(path, ret, ret_len, err);
}

static char *blob_path(const char *dir, const char *digest)
{
	return xasprintf("%s/blobs/sha256/%s", dir, digest + 7);
}

static bool is_index(const char *mt)
{
	return mt && (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* The manifest of an OCI layout for want (a Debian architecture): the
 * index's entries in order, nested indexes followed (at most depth more). */
static int oci_pick(const char *dir, const char *text, size_t len, const char *what,
		    const char *want, int depth, char **ret_digest, long long *ret_size,
		    struct gm_err **err)
{
	json_object *o = image_json_parse(text, len, what, err);
	if (!o)
		return -1;
	json_object *m = image_json_array(o, "manifests");
	int r = -1;
	if (!m) {
		gm_usage(err, "%s is not an image index (no manifests)", what);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(m) && r < 0; i++) {
		json_object *d = json_object_array_get_idx(m, i), *pf;
		const char *dg, *mt = image_json_str(d, "mediaType");
		long long size;
		if (image_descriptor(d, what, &dg, &size, err) < 0)
			goto out;
		if (json_object_object_get_ex(d, "platform", &pf)) {
			const char *a = image_json_str(pf, "architecture"), *os = image_json_str(pf, "os");
			if ((a && strcmp(image_deb_arch(a), want) != 0) || (os && strcmp(os, "linux") != 0))
				continue;
		}
		if (!is_index(mt)) {
			*ret_digest = xstrdup(dg);
			*ret_size = size;
			r = 0;
			break;
		}
		if (depth == 0) {
			gm_usage(err, "%s: image indexes nested too deep", what);
			goto out;
		}
		cleanup_free char *p = blob_path(dir, dg), *sub = NULL;
		size_t sl;
		if (json_file(p, dg, size, what, &sub, &sl, err) < 0 ||
		    oci_pick(dir, sub, sl, shown(p), want, depth - 1, ret_digest, ret_size, err) < 0)
			goto out;
		r = 0;
	}
	if (r < 0)
		gm_usage(err, "%s has no image for linux/%s", what, want);
out:
	json_object_put(o);
	return r;
}

/* Checks and applies each layer to root, in order. */
static int apply_layers(const struct gm_ctx *ctx, const char *source, char *const *paths,
			const char *root, struct gm_err **err)
{
	struct archive_limits lim = {.max_entries = IMAGE_MAX_ENTRIES, .max_bytes = IMAGE_MAX_BYTES};
	size_t n = strv_len(paths);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *what = xasprintf("%s, layer %zu of %zu (%s)", source, i + 1, n,
						    shown(paths[i]));
		gm_note(ctx, "image %s: layer %zu of %zu", source, i + 1, n);
		if (archive_apply_layer(paths[i], root, what, &lim, err) < 0)
			return -1;
	}
	return 0;
}

static int oci_unpack(const struct gm_ctx *ctx, const char *dir, const char *root,
		      const char *want, struct image_info *info, struct gm_err **err)
{
	cleanup_free char *ipath = path_join(dir, "index.json"), *itext = NULL, *mdigest = NULL;
	cleanup_free char *what_index = xasprintf("%s: index.json", info->source);
	size_t il;
	long long msize;
	if (json_file(ipath, NULL, -1, info->source, &itext, &il, err) < 0 ||
	    oci_pick(dir, itext, il, what_index, want, 3, &mdigest, &msize, err) < 0)
		return -1;
	cleanup_free char *mpath = blob_path(dir, mdigest), *mtext = NULL, *cdigest = NULL;
	cleanup_free char *what_m = xasprintf("%s: %s", info->source, shown(mpath));
	cleanup_strv char **layers = NULL;
	cleanup_free long long *sizes = NULL;
	long long csize;
	size_t ml;
	if (json_file(mpath, mdigest, msize, info->source, &mtext, &ml, err) < 0 ||
	    image_parse_manifest(mtext, ml, what_m, &cdigest, &csize, &layers, &sizes, err) < 0)
		return -1;
	cleanup_free char *cpath = blob_path(dir, cdigest), *ctext = NULL;
	cleanup_free char *what_c = xasprintf("%s: %s", info->source, shown(cpath));
	cleanup_strv char **diff_ids = NULL;
	size_t cl;
	if (json_file(cpath, cdigest, csize, info->source, &ctext, &cl, err) < 0 ||
	    image_parse_config(ctext, cl, what_c, &info->arch, &diff_ids, err) < 0)
		return -1;
	if (strcmp(info->arch, want) != 0)
		return gm_usage(err, "%s: an image for %s, not %s", info->source, info->arch, want);
	cleanup_strv char **paths = xcalloc(1, sizeof(char *));
	/* Every layer is checked before the first is applied. */
	for (size_t i = 0; layers[i]; i++) {
		strv_push_take(&paths, blob_path(dir, layers[i]));
		gm_note(ctx, "image %s: checking layer %zu (%s)", info->source, i + 1, layers[i]);
		if (blob_check(paths[i], layers[i], sizes[i], info->source, err) < 0)
			return -1;
	}
	info->digest = xstrdup(mdigest);
	info->layers = strv_len(paths);
	return apply_layers(ctx, info->source, paths, root, err);
}

/* The sha256 a docker-archive member's name carries ("<hex>.json",
 * "blobs/sha256/<hex>"), as a digest; NULL if none. */
static char *name_digest(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	cleanup_free char *d = xasprintf("sha256:%.64s", base);
	size_t bl = strlen(base);
	if ((bl == 64 || (bl == 69 && str_ends(base, ".json"))) && image_digest_valid(d))
		return steal_pointer(&d);
	return NULL;
}

static int docker_unpack(const struct gm_ctx *ctx, const char *dir, const char *root,
			 const char *want, struct image_info *info, struct gm_err **err)
{
	cleanup_free char *mpath = path_join(dir, "manifest.json"), *mtext = NULL, *cfg = NULL;
	cleanup_free char *what_m = xasprintf("%s: manifest.json", info->source);
	cleanup_strv char **layers = NULL;
	size_t ml;
	if (json_file(mpath, NULL, -1, info->source, &mtext, &ml, err) < 0 ||
	    image_parse_docker(mtext, ml, what_m, &cfg, &layers, err) < 0)
		return -1;
	cleanup_free char *cdigest = name_digest(cfg);
	if (!cdigest)
		return gm_usage(err, "%s: the config '%s' is not named by its digest: it cannot be checked",
				info->source, cfg);
	cleanup_free char *cpath = path_join(dir, cfg), *ctext = NULL;
	cleanup_free char *what_c = xasprintf("%s: %s", info->source, cfg);
	cleanup_strv char **diff_ids = NULL;
	size_t cl;
	if (json_file(cpath, cdigest, -1, info->source, &ctext, &cl, err) < 0 ||
	    image_parse_config(ctext, cl, what_c, &info->arch, &diff_ids, err) < 0)
		return -1;
	if (strcmp(info->arch, want) != 0)
		return gm_usage(err, "%s: an image for %s, not %s", info->source, info->arch, want);
	if (strv_len(diff_ids) != strv_len(layers))
		return gm_usage(err, "%s: %zu layers but the config lists %zu diff_ids", info->source,
				strv_len(layers), strv_len(diff_ids));
	cleanup_strv char **paths = xcalloc(1, sizeof(char *));
	/* A docker-archive's layers are uncompressed tars: their digests are
	 * the config's diff_ids. */
	for (size_t i = 0; layers[i]; i++) {
		strv_push_take(&paths, path_join(dir, layers[i]));
		gm_note(ctx, "image %s: checking layer %zu (%s)", info->source, i + 1, layers[i]);
		if (blob_check(paths[i], diff_ids[i], -1, info->source, err) < 0)
			return -1;
	}
	info->digest = xstrdup(cdigest);
	info->layers = strv_len(paths);
	return apply_layers(ctx, info->source, paths, root, err);
}

/* podman save IMAGE as an oci-archive into work. */
static int podman_save(const struct gm_ctx *ctx, char *const *podman, const char *image,
		       const char *out, struct gm_err **err)
{
	if (!*image || *image == '-')
		return gm_usage(err, "podman:%s: not an image name", image);
	cleanup_strv char **argv = strv_dup(podman);
	const char *tail[] = {"save", "--quiet", "--format", "oci-archive", "-o", out, image};
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		strv_push(&argv, tail[i]);
	gm_note(ctx, "image podman:%s: podman save", image);
	struct proc_spec spec = {
		.argv = argv, .timeout_s = 1800, .capture_max = 1 << 16,
		.merge_stderr = true, .stdin_fd = -1,
	};
	struct proc_result res = {0};
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = 0;
	if (res.interrupted) {
		r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "podman save interrupted");
	} else if (res.exec_failed) {
		r = gm_infra(err, res.exec_errno, "cannot run '%s'", argv[0]);
	} else if (res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		/* podman's own words say whether the image is unknown. */
		r = gm_usage(err, "podman:%s: podman save failed (%s): %s", image, how,
			     res.out ? str_trim(res.out) : "");
	}
	proc_result_release(&res);
	return r;
}

int image_unpack(const struct gm_ctx *ctx, const char *source, const char *root,
		 const char *work, char *const *podman, const char *want_arch,
		 struct image_info *ret, struct gm_err **err)
{
	struct image_info info = {.source = xstrdup(source)};
	const char *colon = strchr(source, ':');
	cleanup_free char *kind = colon ? xstrndup(source, colon - source) : xstrdup("");
	const char *arg = colon ? colon + 1 : "";
	cleanup_free char *saved = path_join(work, "podman.tar"), *dir = path_join(work, "image");
	int r;
	if (!*arg) {
		r = gm_usage(err, "image source '%s': want oci-archive:FILE, docker-archive:FILE, "
			     "oci:DIR or podman:IMAGE", source);
	} else if (strcmp(kind, "oci") == 0) {
		r = path_is_dir(arg) ? oci_unpack(ctx, arg, root, want_arch, &info, err)
				     : gm_usage(err, "%s: '%s' is not a directory", source, arg);
	} else if (strcmp(kind, "oci-archive") == 0 || strcmp(kind, "docker-archive") == 0 ||
		   strcmp(kind, "podman") == 0) {
		bool oci = kind[0] != 'd';
		const char *file = arg;
		r = 0;
		if (kind[0] == 'p') {
			r = podman_save(ctx, podman, arg, saved, err);
			file = saved;
		} else if (!path_is_file(arg)) {
			r = gm_usage(err, "%s: '%s' is not a file", source, arg);
		}
		if (r == 0)
			gm_note(ctx, "image %s: unpacking the archive", source);
		if (r == 0 && archive_unpack_image(file, dir, IMAGE_MAX_BYTES, err) == 0)
			r = oci ? oci_unpack(ctx, dir, root, want_arch, &info, err)
				: docker_unpack(ctx, dir, root, want_arch, &info, err);
		else
			r = -1;
	} else {
		r = gm_usage(err, "image source '%s': unknown kind '%s' (oci-archive, docker-archive, "
			     "oci, podman)", source, kind);
	}
	if (r < 0) {
		image_info_release(&info);
		return -1;
	}
	*ret = info;
	return 0;
}
