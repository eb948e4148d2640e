/* Two results documents compared cell by cell: what a change (a new
 * build, a new glibc, a new method) did to each cell.  A cell is the same
 * cell in both when its subject, build, run, method, root filesystem and
 * architecture are equal. */
#ifndef GM_BASELINE_H
#define GM_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "report/rdoc.h"

enum change_kind {
	CHANGE_REGRESSION,  /* as expected before, not now; or new and not as expected */
	CHANGE_FIXED,       /* not as expected before, as expected now */
	CHANGE_CLASS,       /* another observed class, expectedness unchanged */
	CHANGE_NEW,         /* only in the new document, as expected */
	CHANGE_GONE,        /* only in the old document */
};

struct change {
	enum change_kind kind;
	const struct rcell *old, *new;  /* either may be NULL (NEW, GONE) */
};

struct changes {
	struct change *v;   /* regressions first, then fixed, class, new, gone */
	size_t n;
	size_t by[5];
};

void baseline_compare(const struct rdoc *old, const struct rdoc *new, struct changes *ret);
void changes_release(struct changes *c);

/* The changes as Markdown (a table per kind, regressions first). */
void baseline_print_md(const struct changes *c, FILE *out);

/* check --baseline: compares the run's document with old, prints the
 * changes (Markdown) to out and returns the number of regressions. */
size_t baseline_gate(json_object *old, json_object *now, FILE *out);

#endif
