/* Root filesystems for container runs: the recipes (containers/rootfs.tsv)
 * and what the store holds.
 *
 *   rootfs/<name>/rootfs.tar   the tree as a tarball (podman import, copies)
 *   rootfs/<name>/root/        the same tree unpacked, mounted read-only by
 *                              every container (never written after publish)
 *   rootfs/<name>/rootfs.json  the manifest, written last inside the stage
 *
 * A rootfs directory appears by store_publish only, so one that is listed
 * is complete; an interrupted build leaves at most build/rootfs-<name>/. */
#ifndef GM_ROOTFS_H
#define GM_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/sysroot.h"

struct rootfs_recipe {
	char *name;
	char *suite;      /* NULL for busybox and glibc */
	char *glibc;      /* variant glibc: the version built --prefix=/usr, else NULL */
	char *variant;    /* mmdebstrap variant, "busybox" or "glibc" */
	char **packages;  /* NULL-terminated; empty for busybox */
	char *usr;        /* "merged", "split" or "-" (the 5th column) */
	char *arch;       /* Debian name (optional 6th column); NULL: this machine's */
};

/* Every recipe of cfg->containers/rootfs.tsv ($GLIBC_MATRIX_CONTAINERS,
 * else containers/ beside the executable), in file order.  A malformed line is an
 * infrastructure error naming the file and line. */
int rootfs_recipes(const struct gm_config *cfg, struct rootfs_recipe **ret, size_t *ret_n, struct gm_err **err);
void rootfs_recipes_free(struct rootfs_recipe *v, size_t n);

struct rootfs {
	char *name;
	char *dir;            /* <store>/rootfs/<name> */
	char *root;           /* dir/root */
	char *tarball;        /* dir/rootfs.tar */
	char *arch;           /* GNU name, "x86_64" */
	char *suite;          /* "-" for busybox */
	char *variant;        /* mmdebstrap's, "busybox", or "image" (rootfs import) */
	char **packages;      /* the recipe's and the --with ones */
	char **with;          /* the packages --with added (kept by later builds) */
	char *source;         /* an imported image's source ("oci-archive:/x.tar"), else "" */
	char *usr;            /* "merged" when the tree's /lib is a link, else "split" */
	char *key;            /* hash of the inputs (rootfs_key) */
	char *source_date;    /* the suite's Release Date, or the busybox binary's sha256 */
	char *glibc_version;  /* "2.36", or "none" */
	char *glibc_node;     /* newest GLIBC_x.y node of libc.so.6, or "none" */
	char *libc;           /* path of libc.so.6 inside root, or "" */
	char *created;        /* RFC 3339 */
	double build_seconds;
	long long size;       /* bytes of the tarball */
};

void rootfs_release(struct rootfs *r);
/* The cache key of a recipe's inputs: arch, suite, variant, usr, packages
 * (the recipe's, then with's) and the date of the suite (its Release
 * file's Date), 16 hex digits. */
char *rootfs_key(const struct rootfs_recipe *rec, char *const *with, const char *arch,
		 const char *source_date);

/* Loads rootfs/<name>/rootfs.json.  Returns 1 and fills *ret, 0 if there is
 * no such rootfs, -1 + err if the manifest is unreadable or broken. */
int rootfs_load(const struct gm_config *cfg, const char *name, struct rootfs *ret, struct gm_err **err);
/* The manifest's fields as a JSON object (the caller puts it). */
struct json_object *rootfs_to_json(const struct rootfs *r);
/* Writes dir/rootfs.json atomically from r (r->dir is not consulted). */
int rootfs_write_manifest(const char *dir, const struct rootfs *r, struct gm_err **err);
/* The tree's own glibc as a sysroot (the run axis of the `container`
 * method): name "rootfs-<name>", origin "rootfs", its loader and library
 * directories as host paths resolved inside the tree (loader "" and no
 * directories when it has no glibc). */
void rootfs_as_sysroot(const struct rootfs *r, struct sysroot *ret);
/* Names of the published root filesystems, sorted. */
int rootfs_names(const struct gm_config *cfg, char ***ret, struct gm_err **err);

#endif
