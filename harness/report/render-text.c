/* The terminal summary of a run (what run and check print, and `report
 * --format text`): a grid per method from the results document, built by
 * the one grid builder the other formats use (rgrid.h). */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "report/render.h"
#include "report/rgrid.h"

#include <string.h>

/* The row labels' column: 24, wider when a file name needs it (a long
 * path is cut in its directories, never in the file name). */
static size_t label_width(const struct rgrid *g)
{
	size_t w = 24;
	for (size_t r = 0; r < g->nrows; r++) {
		const char *s = g->rows[r], *slash = strrchr(s, '/');
		size_t need = slash ? strlen(slash + 1) + 4 : strlen(s);
		if (strlen(s) > w && need > w)
			w = need;
	}
	return w;
}

/* A row label in w columns: a longer path loses the left of its
 * directories, marked "...", and keeps its file name whole
 * ("...linux-x64/bin/esbuild"); label_width leaves room for that. */
static void put_label(FILE *out, const char *s, size_t w)
{
	size_t n = strlen(s);
	if (n <= w)
		fprintf(out, "  %-*s", (int)w, s);
	else
		fprintf(out, "  ...%s", s + n - (w - 3));
}

/* The newest glibc version a square's symbol-version cells miss (their
 * detail, "GLIBC_2.34"), NULL when none names a version. */
static const char *missing_version(const struct rdoc *d, const struct rsquare *s)
{
	const char *best = NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct rcell *c = &d->cells[s->cells[i]];
		if (strcmp(c->observed, "symbol-version") != 0 || !str_starts(c->detail, "GLIBC_"))
			continue;
		const char *v = c->detail + strlen("GLIBC_");
		if (version_valid(v) && (!best || version_cmp(v, best) > 0))
			best = v;
	}
	return best;
}

/* "25ok 3sv2.34 !1": a square's counts by class, a symbol-version count
 * followed by the newest version missing; one cell is its class alone
 * ("sv2.34", "ok"); "." when it has no cell. */
static void put_square(FILE *out, const struct rdoc *d, const struct rsquare *s)
{
	struct strbuf b = STRBUF_INIT;
	for (int k = 0; k < GM_OUTCOME_COUNT; k++) {
		if (!s->by[k])
			continue;
		if (b.len)
			strbuf_addch(&b, ' ');
		if (s->n > 1)
			strbuf_addf(&b, "%zu", s->by[k]);
		strbuf_addstr(&b, gm_outcome_short(k));
		const char *v = k == GM_SYMBOL_VERSION ? missing_version(d, s) : NULL;
		if (v)
			strbuf_addstr(&b, v);
	}
	if (s->mism)
		strbuf_addf(&b, " !%zu", s->mism);
	fprintf(out, " %-22s", b.len ? strbuf_str(&b) : ".");
	strbuf_release(&b);
}

static void put_grid(FILE *out, const struct rdoc *d, const struct rgrid *g)
{
	size_t w = label_width(g);
	fprintf(out, "\nmethod %s (rows: built against or file, columns: run against)\n", g->name);
	fprintf(out, "  %-*s", (int)w, "");
	for (size_t c = 0; c < g->ncols; c++)
		fprintf(out, " %-22.22s", g->cols[c]);
	fputc('\n', out);
	for (size_t r = 0; r < g->nrows; r++) {
		put_label(out, g->rows[r], w);
		for (size_t c = 0; c < g->ncols; c++)
			put_square(out, d, &g->sq[r * g->ncols + c]);
		fputc('\n', out);
	}
}

/* The mismatches, each with the grid it is in; their number. */
static size_t put_mismatches(FILE *out, const struct rdoc *d, const struct rgrids *g)
{
	size_t n = 0;
	for (size_t k = 0; k < g->n; k++)
		for (size_t q = 0; q < g->v[k].nrows * g->v[k].ncols; q++)
			for (size_t i = 0; i < g->v[k].sq[q].n; i++) {
				const struct rcell *c = &d->cells[g->v[k].sq[q].cells[i]];
				if (!c->mismatch)
					continue;
				if (!n++)
					fprintf(out, "\nmismatches (predicted -> observed):\n");
				fprintf(out, "  %s built %s, run %s by %s: %s (%s) -> %s (%s)\n",
					c->subject, *c->build ? c->build : "-", c->run, g->v[k].name,
					c->predicted, c->predicted_detail, c->observed, c->detail);
			}
	return n;
}

/* Each package of check PKG: its files, the one that sets its floor and
 * by which symbol, a .deb's Depends. */
static void put_packages(FILE *out, json_object *root)
{
	json_object *pk, *v;
	if (!json_object_object_get_ex(root, "packages", &pk) ||
	    !json_object_is_type(pk, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(pk); i++) {
		json_object *p = json_object_array_get_idx(pk, i), *fl = NULL, *deb = NULL;
		json_object_object_get_ex(p, "glibc_floor", &fl);
		json_object_object_get_ex(p, "deb", &deb);
		size_t n = json_object_object_get_ex(p, "files", &v) ? json_object_array_length(v) : 0;
		fprintf(out, "\npackage %s (%s", rjs(p, "name"), rjs(p, "kind"));
		if (*rjs(deb, "package"))
			fprintf(out, " %s %s %s", rjs(deb, "package"), rjs(deb, "version"),
				rjs(deb, "architecture"));
		fprintf(out, "): %zu ELF file%s\n", n, n == 1 ? "" : "s");
		if (!*rjs(fl, "version"))
			fprintf(out, "  glibc floor: none (no file requires a GLIBC_x.y node)\n");
		else if (!*rjs(fl, "symbol"))
			fprintf(out, "  glibc floor: GLIBC_%s, set by %s (%s)\n", rjs(fl, "version"),
				rjs(fl, "file"), rjs(fl, "library"));
		else {
			long more = json_object_object_get_ex(fl, "symbols", &v)
					    ? (long)json_object_get_int64(v) - 1 : 0;
			fprintf(out, "  glibc floor: GLIBC_%s, set by %s (%s@GLIBC_%s from %s", rjs(fl, "version"),
				rjs(fl, "file"), rjs(fl, "symbol"), rjs(fl, "version"), rjs(fl, "library"));
			if (more > 0)
				fprintf(out, ", and %ld more symbol%s", more, more == 1 ? "" : "s");
			fprintf(out, ")\n");
		}
		if (*rjs(deb, "depends_field"))
			fprintf(out, "  Depends: %s\n", rjs(deb, "depends_field"));
	}
}

int render_text(const struct rdoc *d, FILE *out, struct gm_err **err)
{
	struct rgrids g;
	rgrids_build(d, &g);
	for (size_t k = 0; k < g.n; k++)
		put_grid(out, d, &g.v[k]);
	fprintf(out, "\n%s", gm_outcome_legend());
	size_t mism = put_mismatches(out, d, &g);
	put_packages(out, d->root);
	rgrids_release(&g);
	size_t by[GM_OUTCOME_COUNT] = {0};
	for (size_t i = 0; i < d->n; i++) {
		int o = gm_outcome_parse(d->cells[i].observed);
		if (o >= 0)
			by[o]++;
	}
	json_object *v = NULL;
	double wall = json_object_object_get_ex(d->root, "wall_s", &v) ? json_object_get_double(v) : 0;
	bool complete = !json_object_object_get_ex(d->root, "complete", &v) ||
			json_object_get_boolean(v);
	fprintf(out, "\n%zu cells in %.1f s:", d->n, wall);
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		if (by[k])
			fprintf(out, " %zu %s,", by[k], gm_outcome_name(k));
	fprintf(out, " %zu mismatches%s\n", mism, complete ? "" : " (INCOMPLETE: interrupted)");
	if (ferror(out))
		return gm_infra(err, 0, "cannot write the summary");
	return 0;
}
