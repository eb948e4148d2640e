/* report --format md: a compact summary for CI job pages. */
#define _GNU_SOURCE
#include "report/render.h"
#include "report/rgrid.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <string.h>

void render_md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		/* Renderers of job summaries take inline HTML: a program's
		 * output must not become markup. */
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

void render_md_where(FILE *out, const struct rcell *c)
{
	fputs("| ", out);
	render_md_text(out, c->subject);
	fputs(" | ", out);
	render_md_text(out, *c->build ? c->build : "-");
	fputs(" | ", out);
	render_md_text(out, c->run);
	fputs(" | ", out);
	render_md_text(out, c->method);
	if (*c->rootfs) {
		fputs(" in ", out);
		render_md_text(out, c->rootfs);
	}
}

/* Cells listed under a heading, at most max, with "and N more". */
static void list_cells(const struct rdoc *d, FILE *out, const char *title, bool mismatches,
		       size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += mismatches ? d->cells[i].mismatch : d->cells[i].unexpected;
	if (!n)
		return;
	fprintf(out, "\n### %s (%zu)\n\n| subject | built on | run on | method | predicted | observed |\n"
		     "|---|---|---|---|---|---|\n", title, n);
	size_t shown = 0;
	for (size_t i = 0; i < d->n && shown < max; i++) {
		const struct rcell *c = &d->cells[i];
		if (!(mismatches ? c->mismatch : c->unexpected))
			continue;
		shown++;
		render_md_where(out, c);
		fprintf(out, " | %s | %s: ", c->predicted, c->observed);
		render_md_text(out, c->loader_message ? c->loader_message : c->detail);
		fputs(" |\n", out);
	}
	if (shown < n)
		fprintf(out, "\n... and %zu more (see the HTML report or results.json)\n", n - shown);
}

/* check PKG: each package's floor and the file and symbol that set it. */
static void put_packages(const struct rdoc *d, FILE *out)
{
	json_object *pk = json_object_object_get(d->root, "packages");
	if (!json_object_is_type(pk, json_type_array) || !json_object_array_length(pk))
		return;
	fputs("\n### Packages\n\n| package | kind | ELF files | glibc floor | set by |\n"
	      "|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < json_object_array_length(pk); i++) {
		json_object *p = json_object_array_get_idx(pk, i);
		json_object *fl = json_object_object_get(p, "glibc_floor");
		fputs("| ", out);
		render_md_text(out, rjs(p, "name"));
		fputs(" | ", out);
		render_md_text(out, rjs(p, "kind"));
		fprintf(out, " | %zu | ", json_object_array_length(json_object_object_get(p, "files")));
		if (*rjs(fl, "version")) {
			fputs("GLIBC_", out);
			render_md_text(out, rjs(fl, "version"));
			fputs(" | ", out);
			render_md_text(out, rjs(fl, "file"));
			if (*rjs(fl, "symbol")) {
				fputs(" (", out);
				render_md_text(out, rjs(fl, "symbol"));
				fputs(")", out);
			}
		} else {
			fputs("none | -", out);
		}
		fputs(" |\n", out);
	}
}

int render_md(const struct rdoc *d, FILE *out, struct gm_err **err)
{
	json_object *sum = json_object_object_get(d->root, "summary");
	json_object *obs = json_object_object_get(sum, "observed");
	long mism = json_object_get_int64(json_object_object_get(sum, "mismatches"));
	long unexp = json_object_get_int64(json_object_object_get(sum, "unexpected"));
	fprintf(out, "## glibc-matrix: %zu cells, %ld not as expected, %ld mismatches\n\n", d->n,
		unexp, mism);
	fputs("Observed:", out);
	json_object_object_foreach(obs, name, count) {
		if (json_object_get_int64(count))
			fprintf(out, " %s %ld,", name, (long)json_object_get_int64(count));
	}
	fprintf(out, " in %.1f s%s.\n", json_object_get_double(json_object_object_get(d->root, "wall_s")),
		json_object_get_boolean(json_object_object_get(d->root, "complete"))
			? "" : " (**incomplete: interrupted**)");

	struct rgrids g;
	rgrids_build(d, &g);
	for (size_t gi = 0; gi < g.n; gi++) {
		const struct rgrid *r = &g.v[gi];
		fputs("\n### ", out);
		render_md_text(out, r->name);
		fputs(r->probes ? "\n\n| built against \\ run against |" : "\n\n| file \\ run against |",
		      out);
		for (size_t j = 0; j < r->ncols; j++) {
			fputc(' ', out);
			render_md_text(out, r->cols[j]);
			fputs(" |", out);
		}
		fputs("\n|---|", out);
		for (size_t j = 0; j < r->ncols; j++)
			fputs("---|", out);
		fputc('\n', out);
		for (size_t i = 0; i < r->nrows; i++) {
			fputs("| ", out);
			render_md_text(out, r->rows[i]);
			fputs(" |", out);
			for (size_t j = 0; j < r->ncols; j++) {
				cleanup_free char *counts = rsquare_counts(&r->sq[i * r->ncols + j]);
				fprintf(out, " %s%s%s |", r->sq[i * r->ncols + j].unexpected ? "**" : "",
					*counts ? counts : "", r->sq[i * r->ncols + j].unexpected ? "**" : "");
			}
			fputc('\n', out);
		}
	}
	rgrids_release(&g);
	put_packages(d, out);
	list_cells(d, out, "Not as expected", false, 50);
	list_cells(d, out, "Prediction mismatches", true, 50);
	fprintf(out, "\n<sub>glibc-matrix %s. ok = loads and runs; sv symbol-version, ml missing-library, "
		     "mx mixed-glibc, ms missing-symbol, cr crash, ef exec-failed, to timeout, "
		     "wl wrong-libc, fl failed, sk skipped.</sub>\n",
		rjs(json_object_object_get(d->root, "tool"), "version"));
	if (fflush(out) != 0 || ferror(out))
		return gm_infra(err, 0, "cannot write the report");
	return 0;
}
