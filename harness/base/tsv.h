/* The project's tab-separated data files (sysroots/versions.tsv,
 * suites.tsv, quirks.tsv, causes.tsv, containers/rootfs.tsv): one reader,
 * so every file has the same rules and every error the same wording.
 *
 * A line is a comment ('#' first, after blanks), blank (blanks only), or a
 * row: fields separated by single tabs, each trimmed of blanks, none empty
 * (a file writes "-" for "none").  Line numbers count every line of the
 * file from 1, comments and blank lines too, so an error names the line an
 * editor shows.  Errors are GM_EXIT_INFRA (the files are the project's,
 * not the user's input) and read "FILE:LINE: ...". */
#ifndef GM_TSV_H
#define GM_TSV_H

#include <stddef.h>

#include "base/err.h"

#define TSV_MAX_FIELDS 16

struct tsv {
	char *name;                 /* the file, for messages */
	char *text;                 /* a private copy, cut in place */
	char *p;                    /* the rest */
	size_t line;                /* the current row's line number */
	char *f[TSV_MAX_FIELDS];    /* the current row's fields (into text) */
	size_t n;                   /* how many */
};

/* Reads path whole (a data file of at most 1 MiB). */
int tsv_open(struct tsv *t, const char *path, struct gm_err **err);
/* The same over text already read (tests, fuzzing); name for messages. */
void tsv_init(struct tsv *t, const char *name, const char *text);

/* The next row into t->f and t->n: 1, 0 at the end, or -1 + err when its
 * field count is outside [min, max] or a field is empty: "FILE:LINE: want
 * COLUMNS (N fields), found M" (columns names them, e.g. "version, sha256,
 * path"). */
int tsv_next(struct tsv *t, size_t min, size_t max, const char *columns, struct gm_err **err);

/* An error about the current row: "FILE:LINE: " and the message. */
int tsv_error(const struct tsv *t, struct gm_err **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void tsv_release(struct tsv *t);

#endif
