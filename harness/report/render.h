/* The report formats of `glibc-matrix report`, each from a results
 * document (rdoc.h) to a stream.  They never fail on content: every string
 * is escaped for its format (XML 1.0 cannot carry control characters at
 * all: those become "\xNN").  Return 0, or -1 + err when the stream fails. */
#ifndef GM_RENDER_H
#define GM_RENDER_H

#include <stdio.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "report/rdoc.h"

/* Markdown for $GITHUB_STEP_SUMMARY and GitLab job summaries. */
int render_md(const struct rdoc *d, FILE *out, struct gm_err **err);
/* JUnit XML: one testcase per cell, a failure where it did not do what was
 * expected, skipped where it did not run. */
int render_junit(const struct rdoc *d, FILE *out, struct gm_err **err);
/* TAP version 14: one test point per cell, YAML diagnostics on failures. */
int render_tap(const struct rdoc *d, FILE *out, struct gm_err **err);
/* The terminal summary: a grid per method, the mismatches, the count line
 * ("N cells in T s: ..., M mismatches"); what run and check print. */
int render_text(const struct rdoc *d, FILE *out, struct gm_err **err);
/* One self-contained HTML page (no network, no external fonts or scripts). */
int render_html(const struct rdoc *d, FILE *out, struct gm_err **err);

/* s as one line of a Markdown table cell (pipes escaped). */
void render_md_text(FILE *out, const char *s);

/* "| subject | built on | run on | method [in tree]" of a Markdown table row:
 * the columns that say which cell it is. */
void render_md_where(FILE *out, const struct rcell *c);

/* s escaped for XML and HTML text and attributes. */
void render_xml_escape(struct strbuf *b, const char *s);
/* The same, written to out. */
void render_xml_put(FILE *out, const char *s);
/* " (why: c23-redirect)" for a problem whose "why" names causes.tsv rows,
 * XML-escaped; nothing otherwise. */
void render_xml_why(FILE *out, json_object *problem);

#endif
