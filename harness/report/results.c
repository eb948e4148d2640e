/* The readable summary of a matrix run: a grid per method. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "report/report.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <string.h>

static bool in_list(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* The grid a cell belongs to: its method, and for a container method that
 * swaps the glibc, the root filesystem too ("inject in bullseye"). */
static char *grid_of(const struct cell *c)
{
	if (c->rootfs && !(c->method->caps & ROUTE_ROOTFS_ONLY))
		return xasprintf("%s in %s", c->method->name, c->rootfs->name);
	return xstrdup(c->method->name);
}

/* The row of a cell: the build sysroot of a probe, the file of a user's
 * binary as it was named (each its own row, never merged with another). */
static const char *row_of(const struct cell *c)
{
	if (c->probe || !c->subject)
		return c->build ? c->build->name : "-";
	return c->subject;
}

/* A row label in 24 columns: a long path keeps its end, the file name. */
static const char *label(const char *s)
{
	size_t n = strlen(s);
	return n > 24 ? s + n - 24 : s;
}

/* "25ok 3sv": the outcome counts of the cells of one grid square. */
static char *square(const struct matrix *m, const char *grid, const char *row, const char *run)
{
	size_t by[GM_OUTCOME_COUNT] = {0}, mism = 0, any = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		cleanup_free char *g = grid_of(c);
		if (strcmp(g, grid) || strcmp(row_of(c), row) || strcmp(c->run->name, run))
			continue;
		by[c->skip_reason ? GM_SKIPPED : c->observed]++;
		mism += cell_mismatch(c);
		any++;
	}
	if (!any)
		return xstrdup("");
	struct strbuf sq = STRBUF_INIT;
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		if (by[k])
			strbuf_addf(&sq, "%s%zu%s", sq.len ? " " : "", by[k], gm_outcome_short(k));
	if (mism)
		strbuf_addf(&sq, " !%zu", mism);
	return strbuf_detach(&sq);
}

size_t matrix_summary(const struct matrix *m, FILE *out)
{
	char **grids = NULL;
	const char **builds = xcalloc(m->n + 1, sizeof(char *));
	const char **runs = xcalloc(m->n + 1, sizeof(char *));
	size_t nb = 0, mism = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		const char *b = row_of(c);
		char *g = grid_of(c);
		if (!strv_contains(grids, g))
			strv_push(&grids, g);
		free(g);
		if (!in_list(builds, nb, b))
			builds[nb++] = b;
	}
	for (size_t k = 0; grids && grids[k]; k++) {
		/* Columns: the run sysroots of this grid's cells. */
		size_t nr = 0;
		for (size_t i = 0; i < m->n; i++) {
			cleanup_free char *g = grid_of(&m->cells[i]);
			if (!strcmp(g, grids[k]) && !in_list(runs, nr, m->cells[i].run->name))
				runs[nr++] = m->cells[i].run->name;
		}
		fprintf(out, "\nmethod %s (rows: built against or file, columns: run against)\n",
			grids[k]);
		fprintf(out, "  %-24s", "");
		for (size_t r = 0; r < nr; r++)
			fprintf(out, " %-22.22s", runs[r]);
		fprintf(out, "\n");
		for (size_t b = 0; b < nb; b++) {
			fprintf(out, "  %-24.24s", label(builds[b]));
			for (size_t r = 0; r < nr; r++) {
				cleanup_free char *sq = square(m, grids[k], builds[b], runs[r]);
				fprintf(out, " %-22s", *sq ? sq : ".");
			}
			fprintf(out, "\n");
		}
	}
	fprintf(out, "\n%s", gm_outcome_legend());
	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		if (!cell_mismatch(c))
			continue;
		if (!mism++)
			fprintf(out, "\nmismatches (predicted -> observed):\n");
		cleanup_free char *g = grid_of(c);
		fprintf(out, "  %s built %s, run %s by %s: %s (%s) -> %s (%s)\n", c->subject,
			c->build ? c->build->name : "-", c->run->name, g,
			gm_outcome_name(c->predicted), c->predicted_detail, gm_outcome_name(c->observed),
			c->observed_detail);
	}
	size_t by[GM_OUTCOME_COUNT] = {0};
	for (size_t i = 0; i < m->n; i++)
		by[m->cells[i].skip_reason ? GM_SKIPPED : m->cells[i].observed]++;
	fprintf(out, "\n%zu cells in %.1f s:", m->n, m->wall_s);
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		if (by[k])
			fprintf(out, " %zu %s,", by[k], gm_outcome_name(k));
	fprintf(out, " %zu mismatches%s\n", mism, m->complete ? "" : " (INCOMPLETE: interrupted)");
	strv_free(grids);
	free(builds);
	free(runs);
	return mism;
}
