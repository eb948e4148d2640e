/* Container images into a tree: the sources `rootfs import` takes.
 *
 *   oci-archive:FILE    a tar of an OCI image layout (podman save --format
 *                       oci-archive)
 *   oci:DIR             an OCI image layout directory (index.json, blobs/)
 *   docker-archive:FILE a tar of `docker save` / `podman save` (manifest.json,
 *                       the config, one tar per layer)
 *   podman:IMAGE        a local podman image, saved by `podman save` as an
 *                       oci-archive first (the podman command given)
 *
 * Image content is hostile.  Every blob is checked before use: an OCI blob
 * against its descriptor's sha256 digest and size, a docker-archive's
 * config against the digest its name carries and each layer against the
 * config's rootfs.diff_ids.  JSON files are at most IMAGE_MAX_JSON bytes,
 * an image at most IMAGE_MAX_LAYERS layers, IMAGE_MAX_ENTRIES entries and
 * IMAGE_MAX_BYTES bytes.  Layers are applied by archive_apply_layer (their
 * whiteouts, nothing outside the tree).  A refused image is GM_EXIT_USAGE
 * with a message naming the file and the cause. */
#ifndef GM_IMAGE_H
#define GM_IMAGE_H

#include <stddef.h>

#include "base/err.h"
#include "base/ui.h"

#define IMAGE_MAX_JSON (4LL << 20)
#define IMAGE_MAX_LAYERS 256
#define IMAGE_MAX_ENTRIES 4000000LL
#define IMAGE_MAX_BYTES (64LL << 30)

struct image_info {
	char *source;    /* as given: "oci-archive:/x/img.tar" */
	char *digest;    /* "sha256:...": the manifest's (OCI) or the config's (docker) */
	char *arch;      /* the config's architecture, a Debian name ("amd64") */
	size_t layers;
};
void image_info_release(struct image_info *i);

/* Applies the image source names to the empty directory root, using work
 * (an empty directory of the same store) for what archives and podman
 * unpack.  podman is the podman command (argv, NULL-terminated) for
 * podman:IMAGE.  An image of another architecture than want_arch (a
 * Debian name) is refused. */
int image_unpack(const struct gm_ctx *ctx, const char *source, const char *root,
		 const char *work, char *const *podman, const char *want_arch,
		 struct image_info *ret, struct gm_err **err);

/* The parsers, for the fuzz target: the layers of an OCI manifest or the
 * first image of a docker-archive manifest.json, and a config's
 * architecture and diff_ids.  text is NUL-terminated JSON of len bytes.
 * Fill *ret (strv of "sha256:..." digests, sizes in *ret_sizes for OCI;
 * NULL-terminated) or -1 + GM_EXIT_USAGE naming what. */
int image_parse_manifest(const char *text, size_t len, const char *what, char **ret_config,
			 long long *ret_config_size, char ***ret_layers, long long **ret_sizes,
			 struct gm_err **err);
int image_parse_docker(const char *text, size_t len, const char *what, char **ret_config,
		       char ***ret_layers, struct gm_err **err);
int image_parse_config(const char *text, size_t len, const char *what, char **ret_arch,
		       char ***ret_diff_ids, struct gm_err **err);

#endif
