/* Choosing sysroots, methods and cases from repeated command-line options. */
#ifndef GM_SELECT_H
#define GM_SELECT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "probes/cases.h"
#include "base/err.h"
#include "container/ownprogs.h"
#include "methods/method.h"
#include "store/rootfs.h"
#include "store/sysroot.h"

/* Every valid sysroot in the store (sysroot_list), with one warning on
 * stderr per sysroot left out as invalid or corrupt, naming the file and
 * the cause, even under --quiet: a broken sysroot never just vanishes from
 * a listing, a run or an explain. */
int select_all_sysroots(const struct gm_config *cfg, struct sysroot **ret, size_t *ret_n, struct gm_err **err);

/* names empty: every sysroot in the store for arch (NULL: any arch).
 * Otherwise the named ones, in order; an unknown name is GM_EXIT_USAGE.
 * "host" names the machine's own glibc. */
int select_sysroots(const struct gm_config *cfg, char *const *names, const char *arch, struct sysroot **ret, size_t *ret_n,
		    struct gm_err **err);

/* The host directories of the libraries beyond glibc that a user's binary
 * needs, as the host's loader finds them (*ret_libs: those libraries);
 * the methods search them after the sysroot's. */
char **select_host_lib_dirs(const char *binary, char ***ret_libs);

/* names empty: every method having all of default_caps (0: every method);
 * an unknown name is GM_EXIT_USAGE. */
int select_methods(char *const *names, unsigned default_caps, const struct method ***ret,
		   size_t *ret_n, struct gm_err **err);

/* names empty: every case that is not test_only (or every case, if
 * with_test_only); unknown: GM_EXIT_USAGE. */
int select_cases(const struct gm_cases *all, char *const *names, bool with_test_only,
		 const struct gm_case ***ret, size_t *ret_n, struct gm_err **err);

/* Root filesystems: names empty: none; "all": every one in the store for
 * arch; otherwise the named ones, in order (unknown: GM_EXIT_USAGE). */
int select_rootfs(const struct gm_config *cfg, char *const *names, const char *arch, struct rootfs **ret, size_t *ret_n,
		  struct gm_err **err);
void rootfs_list_free(struct rootfs *v, size_t n);

/* The container options of run and check: --rootfs, --hook, --hook-arg,
 * --hook-env (long options only; getopt values CONTAINER_OPT_*). */
enum {
	CONTAINER_OPT_ROOTFS = 2000,
	CONTAINER_OPT_HOOK,
	CONTAINER_OPT_HOOK_ARG,
	CONTAINER_OPT_HOOK_ENV,
	CONTAINER_OPT_INJECT_LIB,
};
#define CONTAINER_LONG_OPTIONS \
	{"rootfs", required_argument, NULL, CONTAINER_OPT_ROOTFS}, \
	{"hook", required_argument, NULL, CONTAINER_OPT_HOOK}, \
	{"hook-arg", required_argument, NULL, CONTAINER_OPT_HOOK_ARG}, \
	{"hook-env", required_argument, NULL, CONTAINER_OPT_HOOK_ENV}, \
	{"inject-lib", required_argument, NULL, CONTAINER_OPT_INJECT_LIB}
#define CONTAINER_HELP \
	"      --rootfs R    a root filesystem for the container methods (repeatable;\n" \
	"                    'all': every one in the store)\n" \
	"      --hook PATH   inject methods: run this OCI hook in place of glibc-inject\n" \
	"                    (it gets GLIBC_LIBS and LDCONFIG_PATH in its environment,\n" \
	"                    as Sarus's glibc hook reads them); --hook-arg A and\n" \
	"                    --hook-env K=V add arguments and environment; it runs\n" \
	"                    where the host's files are read-only (a write there\n" \
	"                    fails its cells: 'the hook tried to write the host')\n" \
	"      --inject-lib FILE  inject methods, our hook: a library put beside the\n" \
	"                    glibc and registered in the tree's ld.so.cache (repeatable;\n" \
	"                    Sarus's MPI case: a host library built on the newer glibc)\n"

struct container_opts {
	char **rootfs;
	char *hook;             /* absolute */
	char **hook_args, **hook_env;
	char **inject_libs;     /* absolute */
	struct method_hook method_hook; /* handed to the matrix by container_select */
};

/* Appends to *words the options that give o's hook (--hook, --hook-arg,
 * --hook-env), the hook's absolute path; nothing without one. */
void container_hook_words(const struct container_opts *o, char ***words);

/* Handles one container option: 1 if c was one, 0 if not, -1 + err. */
int container_opt(int c, const char *arg, struct container_opts *o, struct gm_err **err);

/* The root filesystems of the container methods and each one's own glibc
 * as a sysroot. */
struct trees {
	struct rootfs *v;
	struct sysroot *own;
	struct own_programs *progs; /* each tree's own programs (container/ownprogs.h) */
	size_t n;
};

/* Settles the container methods: without --method (methods_named false)
 * they stay in *ms only when --rootfs is given; a container method named
 * without --rootfs runs in every tree of the store of arch (GNU name; NULL:
 * of every architecture, when the binaries are of several).  Fills t, and
 * sets *ret_hook to o's hook (NULL: ours).  Usage errors: --rootfs or
 * --hook without a container method, no tree in the store. */
int container_select(const struct gm_config *cfg, struct container_opts *o, bool methods_named, const char *arch,
		     const struct method **ms, size_t *n_ms, struct trees *t,
		     const struct method_hook **ret_hook, struct gm_err **err);
void container_opts_release(struct container_opts *o);
void trees_release(struct trees *t);

/* The machine name of the host, as in manifests ("x86_64"). */
const char *host_arch(void);

/* --arch A: a Debian or GNU name (arm64, aarch64) as the GNU name in
 * manifests; usage error naming the known ones otherwise. */
int select_arch(const char *name, const char **ret, struct gm_err **err);

#endif
