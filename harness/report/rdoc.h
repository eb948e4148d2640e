/* Results documents read back (results.json, reports/schema.json): loaded,
 * checked, merged (shards of one plan, several runs), and seen as a list of
 * cells by the report formats (render.h). */
#ifndef GM_RDOC_H
#define GM_RDOC_H

#include <stdbool.h>
#include <stddef.h>

#include <json.h>

#include "base/err.h"

/* One cell of a document, borrowed from its JSON (valid while the document
 * lives).  Strings are never NULL ("" when absent) unless said. */
struct rcell {
	json_object *json;
	long id;
	const char *subject, *binary, *build, *run, *method, *rootfs, *arch;
	const char *predicted, *predicted_detail;
	const char *observed, *detail;
	const char *loader_message;   /* NULL if none */
	const char *stderr_text;
	int exit_code, signal;
	double duration_s;
	bool probe;                   /* expected.exit is null */
	int expect_exit;
	bool mismatch, unexpected, skipped;
	json_object *problems;        /* array */
	json_object *options;         /* array of strings; NULL in older documents */
};

struct rdoc {
	json_object *root;
	struct rcell *cells;
	size_t n;
};

/* Reads and checks path: a JSON object with schema 2 and tool glibc-matrix
 * and a cells array; errors name the file and the cause (GM_EXIT_USAGE: it
 * is the user's input). */
int rdoc_load(const char *path, json_object **ret, struct gm_err **err);

/* One document from several: cells concatenated in order and renumbered,
 * sysroots, root filesystems and subjects once each, the summary counted
 * again, started/finished the earliest/latest, complete only if all are,
 * wall_s the longest (shards run side by side).  The first document's
 * tool, command line and host are kept. */
json_object *rdoc_merge(json_object *const *docs, size_t n);

/* The cell view of a document (takes a reference on root). */
void rdoc_open(json_object *root, struct rdoc *ret);
void rdoc_close(struct rdoc *d);

/* The command that runs this one cell again, with the options that shaped
 * it (the cell's "options"; a document without them: the expected exit
 * status alone), every word shell-quoted. */
char *rcell_reproduce(const struct rcell *c);

/* "subject built on B" or "subject": the row a cell belongs to in a grid. */
char *rcell_row(const struct rcell *c);
/* "loader", "inject in bullseye", ... and the architecture when not
 * host_arch: the grid a cell belongs to. */
char *rcell_grid(const struct rcell *c, const char *host_arch);

/* String field of an object, "" when absent or not a string. */
const char *rjs(json_object *o, const char *key);
/* The causes.tsv ids a problem's "why" names ("c23-redirect, start-main"),
 * or NULL when it names none (caller frees). */
char *rproblem_why(json_object *problem);

#endif
