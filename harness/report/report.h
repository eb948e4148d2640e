/* What a matrix run reports: the results document (results.json, with
 * each cell's verdict as matrix_execute judged it), the formats beside it
 * and the terminal summary, all drawn from that document. */
#ifndef GM_REPORT_H
#define GM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json.h>

#include "base/err.h"
#include "matrix/matrix.h"
#include "verdict/causes.h"

/* The version of the results document's layout (reports/schema.json). */
#define REPORT_SCHEMA 2

/* The results document of a run (caller puts it).  cs is the causes table
 * each problem's "why" comes from; NULL leaves every "why" out (never
 * guessed). */
json_object *matrix_document(const struct matrix *m, const struct causes *cs);
/* Writes a document to path atomically, pretty-printed. */
int report_write_document(json_object *doc, const char *path, struct gm_err **err);
/* doc as outdir/results.json and the reports beside it (report.html,
 * summary.md, junit.xml, results.tap), each written atomically. */
int report_write_run(json_object *doc, const char *outdir, struct gm_err **err);
/* The "libraries" array of a cell or of explain --json: one {"path",
 * "from"} object per "FROM PATH" entry (gm_prediction.libraries). */
json_object *report_libraries_json(char *const *libraries);
/* sysroot.shipped ("NAME PACKAGE VERSION" lines) as {"NAME": {"package": P,
 * "version": V}}. */
json_object *report_suite_libraries_json(char *const *shipped);
/* A needed node's symbols grouped by the causes.tsv row explaining them:
 * [{"id" (null: none), "symbols"}], with "cause" and "remedy" when texts. */
json_object *report_why_json(const struct causes *cs, const struct gm_problem *pb, bool texts);


/* The end of every matrix run, where report formats plug in: results.json
 * is written even after an execution error or an interruption, the summary
 * printed, then the outcome decided.  xr is what matrix_execute returned
 * (its error already in *err when xr < 0).  Returns -1 with *err for an
 * execution error or an interruption (GM_EXIT_INTERRUPTED), else
 * GM_EXIT_FINDINGS if there are mismatches or extra_findings, else 0.
 * The causes table (causes.tsv in cfg->recipes) is read here, once, for
 * the document; when it cannot be read the "why"s are left out. */
int report_finish(const struct gm_config *cfg, const struct matrix *m, const char *outdir, int xr,
		  size_t extra_findings, struct gm_err **err);

/* After report_finish returned 0: a run in which no cell ran (every one
 * skipped, or none planned) passed nothing, so it is GM_EXIT_SKIP (-1 and
 * *err naming the first reason), not a pass; allow_empty (--allow-empty)
 * accepts it (0). */
int report_nothing_ran(const struct matrix *m, bool allow_empty, struct gm_err **err);

#endif
