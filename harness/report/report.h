/* What a matrix run reports: the results document (results.json) and the
 * readable summary.  The report formats of later stages plug in here. */
#ifndef GM_REPORT_H
#define GM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "matrix/matrix.h"

/* results.json into outdir (atomic). */
int matrix_write_json(const struct matrix *m, const char *outdir, struct gm_err **err);
/* Prints grids per method and the mismatches; returns the mismatch count. */
size_t matrix_summary(const struct matrix *m, FILE *out);

#endif
