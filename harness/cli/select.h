/* Choosing sysroots, methods and cases from repeated command-line options. */
#ifndef GM_SELECT_H
#define GM_SELECT_H

#include <stddef.h>

#include "probes/cases.h"
#include "base/err.h"
#include "routes/route.h"
#include "store/rootfs.h"
#include "store/sysroot.h"

/* Every valid sysroot in the store (sysroot_list), with one warning on
 * stderr per sysroot left out as invalid or corrupt, naming the file and
 * the cause, even under --quiet: a broken sysroot never just vanishes from
 * a listing, a run or an explain. */
int select_all_sysroots(struct sysroot **ret, size_t *ret_n, struct gm_err **err);

/* names empty: every sysroot in the store for arch (NULL: any arch).
 * Otherwise the named ones, in order; an unknown name is GM_EXIT_USAGE.
 * "host" names the machine's own glibc. */
int select_sysroots(char *const *names, const char *arch, struct sysroot **ret, size_t *ret_n,
		    struct gm_err **err);

/* names empty: every route having all of default_caps (0: every route);
 * an unknown name is GM_EXIT_USAGE. */
int select_methods(char *const *names, unsigned default_caps, const struct route ***ret,
		   size_t *ret_n, struct gm_err **err);

/* names empty: every case that is not test_only (or every case, if
 * with_test_only); unknown: GM_EXIT_USAGE. */
int select_cases(const struct gm_cases *all, char *const *names, bool with_test_only,
		 const struct gm_case ***ret, size_t *ret_n, struct gm_err **err);

/* Root filesystems: names empty: none; "all": every one in the store for
 * arch; otherwise the named ones, in order (unknown: GM_EXIT_USAGE). */
int select_rootfs(char *const *names, const char *arch, struct rootfs **ret, size_t *ret_n,
		  struct gm_err **err);
void rootfs_list_free(struct rootfs *v, size_t n);

/* The machine name of the host, as in manifests ("x86_64"). */
const char *host_arch(void);

#endif
