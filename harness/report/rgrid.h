/* The grids of a results document as people read them: one per method
 * (and root filesystem, and architecture when it is not the host's), one
 * row per build sysroot (probes) or per file (a user's binaries), one
 * column per run sysroot, each square the cells that fall there. */
#ifndef GM_RGRID_H
#define GM_RGRID_H

#include <stdbool.h>
#include <stddef.h>

#include "report/rdoc.h"
#include "verdict/outcome.h"

struct rsquare {
	size_t by[GM_OUTCOME_COUNT];  /* observed classes */
	size_t mism, unexpected;
	size_t *cells;                /* indexes into rdoc.cells */
	size_t n;
};

struct rgrid {
	char *name;
	char **rows, **cols;          /* in the order the cells come */
	bool probes;                  /* rows are build sysroots, not files */
	size_t nrows, ncols;
	struct rsquare *sq;           /* nrows * ncols, row-major */
};

struct rgrids {
	struct rgrid *v;
	size_t n;
};

void rgrids_build(const struct rdoc *d, struct rgrids *ret);
void rgrids_release(struct rgrids *g);

/* The class a square is shown as: the one most of its cells that ran
 * have (ties to the failure), skipped when none ran, -1 if empty. */
int rsquare_class(const struct rsquare *s);

/* "25 ok, 3 sv": the counts of a square with the short names. */
char *rsquare_counts(const struct rsquare *s);

#endif
