/* The harness's configuration: every setting it takes from the
 * environment, read once by main (config_from_env) and handed down as
 * const data (struct gm_ctx.cfg, or an explicit argument where no context
 * travels).  Nothing below main reads these variables itself, and nothing
 * here changes after main filled it: the job pool's threads only read it.
 *
 * Plain strings and numbers only; what they mean belongs to the layers
 * that use them (store/, probes/, container/, exec/contain, acquire/). */
#ifndef GM_CONFIG_H
#define GM_CONFIG_H

#include <stdbool.h>

struct gm_config {
	/* The store: $GLIBC_MATRIX_STORE, else $XDG_CACHE_HOME/glibc-matrix
	 * (when absolute), else $HOME/.cache/glibc-matrix (HOME unset or
	 * empty: /tmp).  Always absolute (made so against the working
	 * directory): sysroots are configured with their final prefix.  Not
	 * validated here (store_check). */
	char *store;
	/* Data directories: $GLIBC_MATRIX_RECIPES (sysroots/: versions.tsv,
	 * quirks.tsv, suites.tsv, causes.tsv), $GLIBC_MATRIX_CASES (cases/:
	 * cases.ini), $GLIBC_MATRIX_CONTAINERS (containers/: rootfs.tsv); each
	 * else the directory of that name beside the executable when it holds
	 * the marker file, else under GM_DATADIR. */
	char *recipes;
	char *cases;
	char *containers;
	/* Our programs beside the driver: $GLIBC_MATRIX_LIBEXEC/gm-batch and
	 * /glibc-inject, else build/<name> found the same way.  Paths only:
	 * whether they exist is checked where they are used. */
	char *batch_helper;
	char *hook;
	/* $GLIBC_MATRIX_OCI_RUNTIME (a name or a path), NULL: try runc, crun. */
	char *oci_runtime;
	/* $GLIBC_MATRIX_CONTAINMENT=rlimit-only: no cgroups per cell. */
	bool rlimit_only;
	/* Limits per cell: $GLIBC_MATRIX_CELL_PIDS processes (default 2048,
	 * 8..4194304) and $GLIBC_MATRIX_CELL_MEMORY MiB (default 1024,
	 * 16..16777216), here in bytes; a value that is not a number in range
	 * is the default. */
	long cell_pids;
	long cell_memory;
	/* $GLIBC_MATRIX_BINFMT_DIR, default /proc/sys/fs/binfmt_misc. */
	char *binfmt_dir;
	/* $GLIBC_MATRIX_MIRROR without trailing '/', NULL: read apt's sources
	 * in $GLIBC_MATRIX_APT_DIR (default /etc/apt). */
	char *mirror;
	char *apt_dir;
	/* $GLIBC_MATRIX_KEYRING, NULL: the Debian archive keyring
	 * (acquire/signature.h). */
	char *keyring;
	/* $GLIBC_MATRIX_BUSYBOX, default /bin/busybox (the glibc-free rootfs). */
	char *busybox;
	/* The local glibc source directory: the tarballs of the versions
	 * versions.tsv names by file name (those Debian's archive does not
	 * have).  $GLIBC_MATRIX_GLIBC_SRC, else ../shared/glibc-src beside the
	 * checkout (exe_dir/..) when that is a directory, else NULL.  Absolute. */
	char *glibc_src;
};

/* Fills ret from envp (NAME=value strings, NULL-terminated: main passes
 * environ), reading exactly the variables the fields above name, plus
 * XDG_CACHE_HOME and HOME for the store.  An empty value is an unset one.
 * exe_dir is the directory the data directories are looked for beside
 * (NULL: the running executable's, /proc/self/exe).  Never fails. */
void config_from_env(struct gm_config *ret, char *const *envp, const char *exe_dir);
void config_release(struct gm_config *c);

#endif
