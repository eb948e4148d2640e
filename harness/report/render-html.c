/* report --format html: one page a release manager reads at a glance.
 * Self-contained: styles inline, no script, no font or image to fetch, so
 * it works from a CI artifact, offline, and printed.  A square's details
 * open on click (<details>), and its title shows the counts on hover. */
#define _GNU_SOURCE
#include "report/render.h"
#include "report/rgrid.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <string.h>

/* A page of 50,000 cells in full does not open in a browser in seconds
 * (10 MB took 7 s here): squares list at most this many cells each, and
 * the page at most PAGE_LIST_MAX, those that need a look first (not as
 * expected, or mispredicted) before the others.  The counts are always
 * complete, and results.json has every cell. */
#define SQUARE_LIST_MAX 25
#define PAGE_LIST_MAX 3000

static bool needs_look(const struct rcell *c)
{
	return c->unexpected || c->mismatch;
}

/* How many cells of each square are listed: [0] those that need a look,
 * [1] the others; squares in page order. */
struct budget {
	size_t (*take)[2];
};

static void budget_plan(const struct rdoc *d, const struct rgrids *g, struct budget *b)
{
	size_t total = 0, left = PAGE_LIST_MAX;
	for (size_t gi = 0; gi < g->n; gi++)
		total += g->v[gi].nrows * g->v[gi].ncols;
	b->take = xcalloc(total + 1, sizeof(*b->take));
	for (int kind = 0; kind < 2; kind++) {
		size_t at = 0;
		for (size_t gi = 0; gi < g->n; gi++)
			for (size_t q = 0; q < g->v[gi].nrows * g->v[gi].ncols; q++, at++) {
				const struct rsquare *s = &g->v[gi].sq[q];
				size_t n = 0;
				for (size_t k = 0; k < s->n; k++)
					n += needs_look(&d->cells[s->cells[k]]) == (kind == 0);
				size_t room = SQUARE_LIST_MAX - b->take[at][0];
				n = n < room ? n : room;
				n = n < left ? n : left;
				b->take[at][kind] = n;
				left -= n;
			}
	}
}

static const char style[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1rem;color:#1b1b1b}"
	"h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .4rem}"
	".summary{display:flex;flex-wrap:wrap;gap:.4rem;margin:.5rem 0}"
	".summary span{padding:.2rem .5rem;border-radius:.3rem}"
	".scroll{overflow-x:auto;max-width:100%}"
	"table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.25rem .4rem;"
	"vertical-align:top}th{background:#f3f3f3;text-align:left;font-weight:600}"
	"td.sq{min-width:7rem}td.sq summary{cursor:pointer;list-style:none}"
	"td.mism{outline:3px solid #000;outline-offset:-3px}"
	".o-ok{background:#c8e6c9}.o-skipped{background:#e0e0e0}"
	".o-symbol-version{background:#ffcc80}.o-missing-library{background:#ce93d8}"
	".o-mixed-glibc{background:#ef9a9a}.o-missing-symbol{background:#f8bbd0}"
	".o-crash{background:#e57373}.o-exec-failed{background:#bcaaa4}"
	".o-timeout{background:#fff59d}.o-wrong-libc{background:#90caf9}"
	".o-failed{background:#ffab91}"
	"ul.cells{margin:.3rem 0 0;padding-left:1rem;font-size:12px}"
	"li.cell{margin:.15rem 0}li.cell code{font-size:11px;word-break:break-all}"
	"li.unexpected{font-weight:600}.bad{color:#b00020;font-weight:600}"
	"pre{white-space:pre-wrap;word-break:break-all;margin:.2rem 0;font-size:11px}"
	"footer{margin-top:2rem;color:#555;font-size:12px}"
	/* A phone (390 px): the row labels (full paths) wrap in a narrow
	 * first column, so the squares keep the width. */
	"@media (max-width:600px){body{margin:.4rem}td.sq{min-width:4rem}"
	"tbody th{max-width:7rem;word-break:break-all;font-size:12px}}"
	"@media print{.scroll{overflow:visible}td.sq summary{list-style:none}}";

/* One cell inside a square's details: what it observed, what was
 * predicted, the symbols, the loader's words, how to run it again. */
static void cell_item(FILE *out, const struct rcell *c)
{
	cleanup_free char *cmd = rcell_reproduce(c);
	fprintf(out, "<li class=\"cell o-%s%s\" data-id=\"%ld\" data-observed=\"%s\" "
		     "data-predicted=\"%s\">", c->observed, c->unexpected ? " unexpected" : "",
		c->id, c->observed, c->predicted);
	render_xml_put(out, c->subject);
	fputs(": <b>", out);
	render_xml_put(out, c->observed);
	fputs("</b>", out);
	if (*c->detail) {
		fputs(" (", out);
		render_xml_put(out, c->detail);
		fputs(")", out);
	}
	if (c->mismatch) {
		fputs(" <span class=\"bad\">predicted ", out);
		render_xml_put(out, c->predicted);
		fputs("</span>", out);
	}
	if (c->signal)
		fprintf(out, ", signal %d", c->signal);
	for (size_t i = 0; c->problems && i < json_object_array_length(c->problems); i++) {
		json_object *p = json_object_array_get_idx(c->problems, i);
		json_object *syms = json_object_object_get(p, "symbols");
		fputs("<br>", out);
		render_xml_put(out, rjs(p, "object"));
		fputs(" needs ", out);
		if (!json_object_array_length(syms))
			render_xml_put(out, *rjs(p, "node") ? rjs(p, "node") : rjs(p, "library"));
		for (size_t k = 0; k < json_object_array_length(syms) && k < 12; k++) {
			fputs(k ? ", <code>" : "<code>", out);
			render_xml_put(out, json_object_get_string(json_object_array_get_idx(syms, k)));
			if (*rjs(p, "node")) {
				fputc('@', out);
				render_xml_put(out, rjs(p, "node"));
			}
			fputs("</code>", out);
		}
		render_xml_why(out, p);
	}
	if (c->loader_message) {
		fputs("<pre>", out);
		render_xml_put(out, c->loader_message);
		fputs("</pre>", out);
	}
	if (c->unexpected || c->mismatch) {
		fputs("<br>reproduce: <code>", out);
		render_xml_put(out, cmd);
		fputs("</code>", out);
	}
	fputs("</li>\n", out);
}

static void square(FILE *out, const struct rdoc *d, const struct rgrid *r, size_t q,
		   const size_t take[2])
{
	const struct rsquare *s = &r->sq[q];
	int cls = rsquare_class(s);
	if (cls < 0) {
		fputs("<td class=\"sq empty\"></td>", out);
		return;
	}
	cleanup_free char *counts = rsquare_counts(s);
	fprintf(out, "<td class=\"sq o-%s%s\" data-cells=\"%zu\" data-mismatches=\"%zu\" title=\"",
		gm_outcome_name(cls), s->mism ? " mism" : "", s->n, s->mism);
	render_xml_put(out, counts);
	fputs("\"><details><summary>", out);
	render_xml_put(out, counts);
	if (s->mism)
		fprintf(out, " <span class=\"bad\">!%zu</span>", s->mism);
	fputs("</summary><ul class=\"cells\">\n", out);
	size_t shown = 0;
	for (int kind = 0; kind < 2; kind++)
		for (size_t k = 0, n = 0; k < s->n && n < take[kind]; k++) {
			const struct rcell *c = &d->cells[s->cells[k]];
			if (needs_look(c) == (kind == 0)) {
				cell_item(out, c);
				n++;
				shown++;
			}
		}
	if (shown < s->n)
		fprintf(out, "<li class=\"more\">and %zu more cells of this square (results.json)"
			     "</li>\n", s->n - shown);
	fputs("</ul></details></td>", out);
}

int render_html(const struct rdoc *d, FILE *out, struct gm_err **err)
{
	json_object *sum = json_object_object_get(d->root, "summary");
	long mism = json_object_get_int64(json_object_object_get(sum, "mismatches"));
	long unexp = json_object_get_int64(json_object_object_get(sum, "unexpected"));
	json_object *host = json_object_object_get(d->root, "host");

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<title>glibc-matrix report</title><style>", out);
	fputs(style, out);
	fputs("</style></head><body>\n<h1>glibc-matrix</h1>\n<p>", out);
	fprintf(out, "%zu cells, <b class=\"%s\" id=\"unexpected\">%ld not as expected</b>, "
		     "<b class=\"%s\" id=\"mismatches\">%ld prediction mismatches</b>%s. ",
		d->n, unexp ? "bad" : "", unexp, mism ? "bad" : "", mism,
		json_object_get_boolean(json_object_object_get(d->root, "complete"))
			? "" : " <b class=\"bad\">(incomplete: interrupted)</b>");
	fputs("Host ", out);
	render_xml_put(out, rjs(host, "arch"));
	fputs(", glibc ", out);
	render_xml_put(out, rjs(host, "glibc"));
	fputs(", started ", out);
	render_xml_put(out, rjs(d->root, "started"));
	fputs(".</p>\n<div class=\"summary\">", out);
	json_object_object_foreach(json_object_object_get(sum, "observed"), name, count) {
		if (json_object_get_int64(count)) {
			fprintf(out, "<span class=\"o-%s\">", name);
			render_xml_put(out, name);
			fprintf(out, " %ld</span>", (long)json_object_get_int64(count));
		}
	}
	fputs("</div>\n", out);

	struct rgrids g;
	rgrids_build(d, &g);
	struct budget bud;
	budget_plan(d, &g, &bud);
	size_t at = 0;
	for (size_t gi = 0; gi < g.n; gi++) {
		const struct rgrid *r = &g.v[gi];
		fputs("<h2>", out);
		render_xml_put(out, r->name);
		fprintf(out, "</h2>\n<div class=\"scroll\"><table class=\"grid\"><thead><tr>"
			     "<th>%s \\ run against</th>", r->probes ? "built against" : "file");
		for (size_t j = 0; j < r->ncols; j++) {
			fputs("<th>", out);
			render_xml_put(out, r->cols[j]);
			fputs("</th>", out);
		}
		fputs("</tr></thead><tbody>\n", out);
		for (size_t i = 0; i < r->nrows; i++) {
			fputs("<tr><th>", out);
			render_xml_put(out, r->rows[i]);
			fputs("</th>", out);
			for (size_t j = 0; j < r->ncols; j++)
				square(out, d, r, i * r->ncols + j, bud.take[at++]);
			fputs("</tr>\n", out);
		}
		fputs("</tbody></table></div>\n", out);
	}
	free(bud.take);
	rgrids_release(&g);
	fputs("<footer>ok: loads and runs; symbol-version: a GLIBC_x.y node is missing; "
	      "missing-library; mixed-glibc: a loader and a libc of two builds; missing-symbol; "
	      "crash; exec-failed; timeout; wrong-libc: another libc than meant was loaded; "
	      "failed: the program's own failure; skipped. A square has the colour of the class "
	      "most of its cells that ran have (a tie goes to the failure; skipped when none "
	      "ran); a black frame marks one whose cells the prediction got wrong. Made by "
	      "glibc-matrix ", out);
	render_xml_put(out, rjs(json_object_object_get(d->root, "tool"), "version"));
	fputs(" from: <code>", out);
	json_object *cl = json_object_object_get(d->root, "command_line");
	for (size_t i = 0; i < json_object_array_length(cl); i++) {
		if (i)
			fputc(' ', out);
		render_xml_put(out, json_object_get_string(json_object_array_get_idx(cl, i)));
	}
	fputs("</code></footer>\n</body></html>\n", out);
	if (fflush(out) != 0 || ferror(out))
		return gm_infra(err, 0, "cannot write the report");
	return 0;
}
