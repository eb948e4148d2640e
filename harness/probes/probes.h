/* Probes: each case of cases/cases.ini compiled against each build sysroot.
 *
 * A built probe lives in store/probes/<sysroot>/<case>-<key>/ (the key
 * hashes the sysroot's cache key, the case's sources and flags, and the
 * toolchain flags), holding `probe`, `plugin.so` if the case has one,
 * PROBE_LIBRARY if the case has a library (the probe needs it: DT_NEEDED,
 * no RUNPATH, so whoever runs it must say where it is), and build.json.  It is assembled in a temporary directory and renamed into
 * place, so a present directory is complete; a second request is a cache
 * hit.  A case that does not compile against a sysroot (its headers are too
 * old) is recorded as such, with the compiler's message, and its cells are
 * skipped with that reason. */
#ifndef GM_PROBES_H
#define GM_PROBES_H

#include <stdbool.h>
#include <stddef.h>

#include "probes/cases.h"
#include "base/ui.h"
#include "base/err.h"
#include "store/sysroot.h"

/* The soname and file name of a case's library (cases.ini "library"). */
#define PROBE_LIBRARY "libgmext.so.1"

enum probe_status { PROBE_BUILT, PROBE_UNAVAILABLE, PROBE_FAILED };

struct probe {
	const struct gm_case *kase;
	const struct sysroot *build;
	/* The soname and file name of a case's library (cases.ini "library"). */
#define PROBE_LIBRARY "libgmext.so.1"

enum probe_status status;
	char *dir;       /* store directory (built) */
	char *binary;    /* dir/probe */
	char *reason;    /* why not built */
	bool cached;
};

/* Builds every (sysroot, case) pair, jobs at a time, with the cases
 * directory and the store of ctx->cfg.  ret has n_sys*n_case
 * entries, sysroot-major.  Returns -1 only for infrastructure failures; a
 * case that does not compile is a PROBE_FAILED entry, not an error. */
int probes_build(const struct gm_ctx *ctx, const struct sysroot *sys, size_t n_sys,
		 const struct gm_case *const *cs, size_t n_cases, int jobs, struct probe **ret,
		 struct gm_err **err);
void probes_free(struct probe *p, size_t n);

#endif
