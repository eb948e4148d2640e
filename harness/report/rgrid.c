#define _GNU_SOURCE
#include "report/rgrid.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static size_t index_of(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return i;
	strv_push(v, s);
	return (*n)++;
}

static struct rgrid *grid_named(struct rgrids *g, const char *name)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, name) == 0)
			return &g->v[i];
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	struct rgrid *r = &g->v[g->n++];
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->rows = xcalloc(1, sizeof(char *));
	r->cols = xcalloc(1, sizeof(char *));
	return r;
}

/* Rows and columns are known only after every cell: squares are placed in a
 * second pass. */
void rgrids_build(const struct rdoc *d, struct rgrids *g)
{
	const char *host_arch = rjs(json_object_object_get(d->root, "host"), "arch");
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < d->n; i++) {
		cleanup_free char *name = rcell_grid(&d->cells[i], host_arch);
		cleanup_free char *row = rcell_row(&d->cells[i]);
		struct rgrid *r = grid_named(g, name);
		if (!r->nrows)
			r->probes = d->cells[i].probe;
		index_of(&r->rows, &r->nrows, row);
		index_of(&r->cols, &r->ncols, d->cells[i].run);
	}
	for (size_t k = 0; k < g->n; k++)
		g->v[k].sq = xcalloc(g->v[k].nrows * g->v[k].ncols + 1, sizeof(struct rsquare));
	for (size_t i = 0; i < d->n; i++) {
		const struct rcell *c = &d->cells[i];
		cleanup_free char *name = rcell_grid(c, host_arch);
		cleanup_free char *row = rcell_row(c);
		struct rgrid *r = grid_named(g, name);
		struct rsquare *s = &r->sq[index_of(&r->rows, &r->nrows, row) * r->ncols +
					   index_of(&r->cols, &r->ncols, c->run)];
		int o = gm_outcome_parse(c->observed);
		if (o >= 0)
			s->by[o]++;
		s->mism += c->mismatch;
		s->unexpected += c->unexpected;
		s->cells = xrealloc(s->cells, (s->n + 1) * sizeof(size_t));
		s->cells[s->n++] = i;
	}
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
	 * a route that works, "1 sv, 34 mx" as one that does not (the counts
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
