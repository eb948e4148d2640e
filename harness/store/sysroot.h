/* Sysroots and their manifest, sysroot.json.
 *
 * A sysroot is complete or absent: builders assemble it elsewhere and rename
 * it into store/sysroots/<name> as their last step, manifest included, so
 * everything here may assume that a directory with a readable manifest is
 * whole. */
#ifndef GM_SYSROOT_H
#define GM_SYSROOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "base/arch.h"
#include "base/err.h"

#define SYSROOT_MANIFEST "sysroot.json"
#define SYSROOT_SCHEMA 1

/* Where a sysroot's glibc comes from. */
enum sysroot_origin {
	ORIGIN_SOURCE,        /* built here from upstream source */
	ORIGIN_DEBIAN,        /* imported from a Debian suite (suite) */
	ORIGIN_HOST,          /* this machine's own glibc (sysroot_host) */
	ORIGIN_ROOTFS,        /* a root filesystem's own glibc (rootfs_glibc) */
};

struct sysroot {
	char *name;
	char *glibc_version;  /* upstream version, "2.36" */
	char *arch;           /* GNU machine name: x86_64, aarch64, riscv64 */
	enum sysroot_origin origin;
	char *suite;          /* ORIGIN_DEBIAN: the suite it was imported from, else NULL */
	char *dir;            /* absolute directory of the sysroot */
	char *prefix;         /* absolute prefix glibc was configured with */
	char *loader;         /* absolute path of ld.so inside the sysroot */
	char **libdirs;       /* absolute library directories, search order */
	char **includedirs;   /* absolute header directories */
	char *source_sha256;  /* tarball/tree hash (source), libc6 .deb hash (debian) */
	char **configure_args;
	char *compiler;       /* "gcc (Debian 12.2.0-14) 12.2.0", or "" */
	char *package_version;/* Debian package version, or "" */
	char *cache_key;      /* sha256 over all inputs */
	char *created;        /* RFC 3339 */
	char *build_log;      /* absolute path, or "" */
	/* Debian imports: primary-key fingerprints of the good signatures on
	 * the suite's Release file (space-separated), or "unchecked"
	 * (--insecure); "" for other sysroots and older imports.  Written only
	 * when non-empty. */
	char *signature;
	/* Debian imports: "name version" of every package it is made of, and
	 * the names asked for with --with (kept by later imports); empty for
	 * source builds and older imports.  Written only when non-empty. */
	char **packages;
	char **with;
	/* Debian imports: the packages taken for the libraries users' files
	 * need beyond glibc (cli/target-libs.h) and the directories they are
	 * in, kept apart from libdirs (suite-libs/ in the sysroot), so that
	 * only a run with the suite's own libraries sees them, where a system
	 * of the suite keeps its libraries: what a check against the suite
	 * shows never depends on what earlier checks imported.  Empty
	 * otherwise; written only when non-empty. */
	char **suite_with;
	char **suite_libdirs;
	/* Not in the manifest: set by check for a run "with the suite's own
	 * libraries" (cli/target-libs.h): "NAME PACKAGE VERSION" of each
	 * library beyond glibc its cells take from the suite, and the names
	 * no package of the suite ships.  NULL: not asked. */
	char **shipped, **unshipped;
};

void sysroot_release(struct sysroot *s);

/* This machine's multiarch library directories for a (/lib/<triplet>,
 * /usr/lib/<triplet>), as real paths, each once: where a distribution's
 * loader searches after everything it was told, and what a run with a
 * suite's own libraries covers with the sysroot's (exec/confine.h). */
char **host_multiarch_dirs(const struct gm_arch *a);

/* libdirs, then suite_libdirs: every library directory of s (a new list). */
char **sysroot_all_libdirs(const struct sysroot *s);

/* Serialises to JSON text (caller frees). */
char *sysroot_to_json(const struct sysroot *s);
/* Writes dir/sysroot.json atomically. */
int sysroot_write(const char *dir, const struct sysroot *s, struct gm_err **err);
/* Parses the manifest text of the sysroot in dir (path names the file in
 * errors) and validates it against dir: name safe (store_name_valid) and equal to dir's last
 * component, glibc_version a version, arch in the arch table, prefix, loader,
 * library and header directories absolute and spelled inside dir (no "." or
 * ".." components).  Touches no file.  A text that is not a manifest (not
 * JSON, not an object, a field missing or of another type) is malformed
 * input, GM_EXIT_USAGE; a manifest refused by those checks (a name or path
 * that leaves dir) is GM_EXIT_INFRA, a store entry not to be used. */
int sysroot_parse(const char *text, const char *path, const char *dir, struct sysroot *ret,
		  struct gm_err **err);
/* Reads dir/sysroot.json with sysroot_parse(), then checks that the loader
 * and directories that exist also resolve (symbolic links followed) inside
 * dir; errors name the file and the problem. */
int sysroot_read(const char *dir, struct sysroot *ret, struct gm_err **err);

/* Absolute path of store/sysroots/<name> (may not exist). */
char *sysroot_path(const struct gm_config *cfg, const char *name);
/* Loads a sysroot by name; GM_EXIT_USAGE if there is none. */
int sysroot_find(const struct gm_config *cfg, const char *name, struct sysroot *ret, struct gm_err **err);
/* Every complete sysroot, sorted by name.  Directories without a readable
 * valid manifest are skipped; _checked also returns (ret_invalid, may be
 * NULL) one message per directory whose manifest exists but is unreadable,
 * corrupt or invalid, naming the file and the cause. */
int sysroot_list(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, struct gm_err **err);
int sysroot_list_checked(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, char ***ret_invalid,
			 struct gm_err **err);
void sysroot_list_free(struct sysroot *v, size_t n);

/* How manifests, listings and reports write s's origin: "source",
 * "debian:<suite>", "host" or "rootfs" (a new string). */
char *sysroot_origin_text(const struct sysroot *s);
/* The reverse, into s->origin and s->suite: -1 for any other text. */
int sysroot_origin_parse(const char *text, struct sysroot *s);

/* The machine's own glibc as a sysroot named "host" (origin "host"): the
 * standard loader path, the multiarch library directories, the version the
 * harness runs on.  Used by the `host`, `env` and `rpath` methods. */
void sysroot_host(struct sysroot *ret);

/* The directories the sysroot's loader searches by itself after
 * --library-path/LD_LIBRARY_PATH and RUNPATH.  A from-source loader knows
 * only its own prefix; a distribution's loader has the distribution's
 * absolute paths compiled in, which name the HOST's directories when it runs
 * on the host. */
/* The built-in directories of a Debian loader for arch (GNU name):
 * "/lib/<triplet>", "/usr/lib/<triplet>", "/lib", "/usr/lib". */
char **distribution_dirs(const char *arch);
char **sysroot_system_dirs(const struct sysroot *s);

/* The first 12 hex digits of the GNU build ID of the sysroot's libc.so.6
 * (first library directory holding one), or NULL.  It tells two builds of
 * one version apart: glibc 2.36 from source and Debian's 2.36. */
char *sysroot_libc_build_id(const struct sysroot *s);

#endif
