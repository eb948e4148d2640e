#define _GNU_SOURCE
#include "report/rgrid.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Where a cell falls: its grid, row and column. */
struct place {
	size_t grid, row, col;
};

/* A grid's rows or columns while they are found: names in the order the
 * cells bring them, and a map from a name to its index (linear in cells,
 * where a search of the list was cells x names). */
struct axis {
	struct strmap map;
	char **names;
	size_t n, cap;
};

static size_t axis_index(struct axis *a, const char *name)
{
	size_t i = strmap_intern(&a->map, name, a->n);
	if (i == a->n) {
		if (a->n + 1 >= a->cap) {
			a->cap = a->cap ? 2 * a->cap : 8;
			a->names = xrealloc(a->names, a->cap * sizeof(char *));
		}
		a->names[a->n++] = xstrdup(name);
		a->names[a->n] = NULL;
	}
	return i;
}

/* Hands the names to the grid (a NULL-terminated list) and frees the map. */
static char **axis_finish(struct axis *a, size_t *n)
{
	strmap_release(&a->map);
	*n = a->n;
	return a->names ? a->names : xcalloc(1, sizeof(char *));
}

/* First pass: every cell's place; grids, rows and columns in the order the
 * cells come. */
static struct place *place_cells(const struct rdoc *d, struct rgrids *g)
{
	const char *host_arch = rjs(json_object_object_get(d->root, "host"), "arch");
	struct strmap names = STRMAP_INIT;
	struct axis *rows = NULL, *cols = NULL;
	struct place *at = xcalloc(d->n + 1, sizeof(*at));
	for (size_t i = 0; i < d->n; i++) {
		cleanup_free char *name = rcell_grid(&d->cells[i], host_arch);
		cleanup_free char *row = rcell_row(&d->cells[i]);
		size_t k = strmap_intern(&names, name, g->n);
		if (k == g->n) {
			g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
			g->v[k] = (struct rgrid){.name = xstrdup(name), .probes = d->cells[i].probe};
			rows = xrealloc(rows, (g->n + 1) * sizeof(*rows));
			cols = xrealloc(cols, (g->n + 1) * sizeof(*cols));
			rows[k] = cols[k] = (struct axis){.map = STRMAP_INIT};
			g->n++;
		}
		at[i] = (struct place){k, axis_index(&rows[k], row), axis_index(&cols[k], d->cells[i].run)};
	}
	for (size_t k = 0; k < g->n; k++) {
		g->v[k].rows = axis_finish(&rows[k], &g->v[k].nrows);
		g->v[k].cols = axis_finish(&cols[k], &g->v[k].ncols);
	}
	free(rows);
	free(cols);
	strmap_release(&names);
	return at;
}

/* Rows and columns are known only after every cell: squares are counted,
 * then filled, in two more passes over the places. */
void rgrids_build(const struct rdoc *d, struct rgrids *g)
{
	memset(g, 0, sizeof(*g));
	struct place *at = place_cells(d, g);
	for (size_t k = 0; k < g->n; k++)
		g->v[k].sq = xcalloc(g->v[k].nrows * g->v[k].ncols + 1, sizeof(struct rsquare));
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < d->n; i++) {
			struct rgrid *r = &g->v[at[i].grid];
			struct rsquare *s = &r->sq[at[i].row * r->ncols + at[i].col];
			if (pass == 0) {
				s->n++;
				continue;
			}
			if (!s->cells) {
				s->cells = xcalloc(s->n, sizeof(size_t));
				s->n = 0;
			}
			const struct rcell *c = &d->cells[i];
			int o = gm_outcome_parse(c->observed);
			if (o >= 0)
				s->by[o]++;
			s->mism += c->mismatch;
			s->unexpected += c->unexpected;
			s->cells[s->n++] = i;
		}
	free(at);
}

void rgrids_release(struct rgrids *g)
{
	for (size_t k = 0; k < g->n; k++) {
		struct rgrid *r = &g->v[k];
		for (size_t i = 0; i < r->nrows * r->ncols; i++)
			free(r->sq[i].cells);
		free(r->sq);
		free(r->name);
		strv_free(r->rows);
		strv_free(r->cols);
	}
	free(g->v);
	memset(g, 0, sizeof(*g));
}

int rsquare_class(const struct rsquare *s)
{
	/* The class most of the cells that ran have: "34 ok, 1 ml" reads as
	 * a method that works, "1 sv, 34 mx" as one that does not (the counts
	 * beside it say the rest).  A tie goes to the failure. */
	int best = -1;
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		if (k != GM_SKIPPED && s->by[k] && (best < 0 || s->by[k] >= s->by[best]))
			best = k;
	if (best >= 0)
		return best;
	return s->by[GM_SKIPPED] ? GM_SKIPPED : -1;
}

char *rsquare_counts(const struct rsquare *s)
{
	struct strbuf b = STRBUF_INIT;
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		if (s->by[k])
			strbuf_addf(&b, "%s%zu %s", b.len ? ", " : "", s->by[k], gm_outcome_short(k));
	if (s->mism)
		strbuf_addf(&b, ", %zu mismatch%s", s->mism, s->mism == 1 ? "" : "es");
	return strbuf_detach(&b);
}
