/* "Runs on trixie" means with trixie's libraries (issue 23).  For each run
 * sysroot imported from a Debian suite, the libraries beyond glibc a
 * user's files need are taken from the packages of that suite that ship
 * them (acquire/deblibs.h: the suite's Contents index, the packages
 * imported into the sysroot as `import --with` does, cached), and the
 * cells against it run where the host's library directories show the
 * sysroot's (exec/confine.h: confine_cover) to the sysroot's loader, so a
 * library no package of the suite ships is missing there, as on a real
 * system of that suite.  --host-libs keeps the old
 * behaviour: libraries beyond glibc found as this machine finds them. */
#ifndef GM_TARGET_LIBS_H
#define GM_TARGET_LIBS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/ui.h"
#include "plan/cells.h"
#include "store/sysroot.h"

struct target_libs {
	bool *own;        /* per run: its cells use the suite's libraries only */
	char **cover;     /* the host directories that show the sysroot's (real paths) */
};

/* Settles the libraries of every run sysroot imported from a Debian suite
 * for the architecture of this machine: imports what the subjects need
 * (runs[i] is replaced by the extended sysroot, with shipped and
 * unshipped set) and notes, per run, which package each library comes
 * from and which no package ships.  Without root (the hiding needs a
 * mount namespace) the libraries are still imported and searched first,
 * and a note says what the host may still lend. */
int target_libs_resolve(const struct gm_ctx *ctx, const struct plan_subject *subjects,
			size_t n_subjects, struct sysroot *runs, size_t n_runs,
			struct target_libs *ret, struct gm_err **err);
void target_libs_release(struct target_libs *t);

/* For explain: the file at binary (read here) against each of runs;
 * own[i] true when runs[i] is a suite's whose libraries it then uses.
 * 0, or -1 + err (not an ELF file: GM_EXIT_USAGE). */
int target_libs_file(const struct gm_ctx *ctx, const char *binary, struct sysroot *runs,
		     size_t n, bool *own, struct gm_err **err);

/* The same for one run sysroot: 1 when it is a suite's of this machine's
 * architecture and its libraries are settled, 0 when it is not one. */
int target_libs_run(const struct gm_ctx *ctx, const struct plan_subject *subjects, size_t n,
		    struct sysroot *run, struct gm_err **err);

#endif
