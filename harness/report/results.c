/* results.json and the readable summary of a matrix run. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "report/report.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <json.h>
#include <string.h>

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *jsysroot(const struct sysroot *s)
{
	if (!s)
		return NULL;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", jstr(s->name));
	json_object_object_add(o, "glibc_version", jstr(s->glibc_version));
	json_object_object_add(o, "arch", jstr(s->arch));
	json_object_object_add(o, "origin", jstr(s->origin));
	cleanup_free char *id = sysroot_libc_build_id(s);
	json_object_object_add(o, "libc_build_id", jstr(id));
	return o;
}

static json_object *jcell(const struct cell *c)
{
	json_object *o = json_object_new_object();
	json_object *pred = json_object_new_object();
	json_object *obs = json_object_new_object();
	json_object *hl = json_object_new_array();
	json_object_object_add(o, "subject", jstr(c->subject));
	json_object_object_add(o, "binary", jstr(c->binary));
	json_object_object_add(o, "build", jstr(c->build ? c->build->name : NULL));
	json_object_object_add(o, "run", jstr(c->run->name));
	json_object_object_add(o, "method", jstr(c->method->name));
	if (c->rootfs)
		json_object_object_add(o, "rootfs", jstr(c->rootfs->name));
	json_object_object_add(o, "arch", jstr(c->run->arch));
	json_object_object_add(pred, "outcome", jstr(gm_outcome_name(c->predicted)));
	json_object_object_add(pred, "detail", jstr(c->predicted_detail ? c->predicted_detail : ""));
	json_object_object_add(o, "predicted", pred);
	json_object_object_add(obs, "outcome", jstr(gm_outcome_name(c->skip_reason ? GM_SKIPPED
										   : c->observed)));
	json_object_object_add(obs, "detail", jstr(c->skip_reason ? c->skip_reason
					       : c->observed_detail ? c->observed_detail : ""));
	json_object_object_add(obs, "exit", json_object_new_int(c->exit_code));
	json_object_object_add(obs, "signal", json_object_new_int(c->signal));
	json_object_object_add(obs, "duration_s", json_object_new_double(c->duration_s));
	json_object_object_add(obs, "glibc", jstr(c->ran_glibc));
	json_object_object_add(obs, "libc", jstr(c->ran_libc));
	json_object_object_add(obs, "stdout", jstr(c->stdout_excerpt ? c->stdout_excerpt : ""));
	json_object_object_add(obs, "stderr", jstr(c->stderr_excerpt ? c->stderr_excerpt : ""));
	json_object_object_add(o, "observed", obs);
	for (size_t i = 0; c->host_libs && c->host_libs[i]; i++)
		json_object_array_add(hl, json_object_new_string(c->host_libs[i]));
	json_object_object_add(o, "host_libraries", hl);
	if (c->libraries)
		json_object_object_add(o, "libraries", report_libraries_json(c->libraries));
	json_object_object_add(o, "mismatch", json_object_new_boolean(cell_mismatch(c)));
	return o;
}

json_object *report_libraries_json(char *const *libraries)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; libraries && libraries[i]; i++) {
		json_object *l = json_object_new_object();
		size_t n = strcspn(libraries[i], " ");
		json_object_object_add(l, "path", jstr(libraries[i] + n + (libraries[i][n] != 0)));
		json_object_object_add(l, "from", json_object_new_string_len(libraries[i], n));
		json_object_array_add(a, l);
	}
	return a;
}

int matrix_write_json(const struct matrix *m, const char *outdir, struct gm_err **err)
{
	json_object *root = json_object_new_object();
	json_object *cells = json_object_new_array();
	json_object *sysroots = json_object_new_array();
	json_object *counts = json_object_new_object();
	size_t by[GM_OUTCOME_COUNT] = {0}, mism = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		json_object_array_add(cells, jcell(c));
		by[c->skip_reason ? GM_SKIPPED : c->observed]++;
		mism += cell_mismatch(c);
		/* each sysroot once */
		const struct sysroot *s[2] = {c->build, c->run};
		for (int k = 0; k < 2; k++) {
			bool seen = !s[k];
			for (size_t q = 0; !seen && q < json_object_array_length(sysroots); q++) {
				json_object *n;
				json_object_object_get_ex(json_object_array_get_idx(sysroots, q), "name", &n);
				seen = strcmp(json_object_get_string(n), s[k]->name) == 0;
			}
			if (!seen)
				json_object_array_add(sysroots, jsysroot(s[k]));
		}
	}
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		json_object_object_add(counts, gm_outcome_name(k), json_object_new_int64(by[k]));
	json_object_object_add(root, "schema", json_object_new_int(1));
	json_object_object_add(root, "tool", jstr("glibc-matrix"));
	json_object_object_add(root, "started", jstr(m->started));
	json_object_object_add(root, "finished", jstr(m->finished));
	json_object_object_add(root, "complete", json_object_new_boolean(m->complete));
	json_object_object_add(root, "wall_s", json_object_new_double(m->wall_s));
	if (m->containment) {
		json_object *ct = json_object_new_object();
		json_object_object_add(ct, "mode", jstr(m->containment));
		json_object_object_add(ct, "note", jstr(m->containment_note));
		json_object_object_add(ct, "cell_pids_max", json_object_new_int64(m->cell_pids_max));
		json_object_object_add(ct, "cell_memory_bytes",
				       json_object_new_int64(m->cell_memory_bytes));
		json_object_object_add(root, "containment", ct);
	}
	json_object *summary = json_object_new_object();
	json_object_object_add(summary, "cells", json_object_new_int64(m->n));
	json_object_object_add(summary, "mismatches", json_object_new_int64(mism));
	json_object_object_add(summary, "observed", counts);
	json_object_object_add(root, "summary", summary);
	json_object_object_add(root, "sysroots", sysroots);
	json_object_object_add(root, "cells", cells);

	cleanup_free char *path = path_join(outdir, "results.json");
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = mkdir_p(outdir, 0755, err) < 0 ? -1
						: write_file_atomic(path, text, strlen(text), 0644, err);
	json_object_put(root);
	return r;
}

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

/* "25ok 3sv": the outcome counts of the cells of one grid square. */
static char *square(const struct matrix *m, const char *grid, const char *build, const char *run)
{
	size_t by[GM_OUTCOME_COUNT] = {0}, mism = 0, any = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		const char *b = c->build ? c->build->name : "-";
		cleanup_free char *g = grid_of(c);
		if (strcmp(g, grid) || strcmp(b, build) || strcmp(c->run->name, run))
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
		const char *b = c->build ? c->build->name : "-";
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
		fprintf(out, "\nmethod %s (rows: built against, columns: run against)\n", grids[k]);
		fprintf(out, "  %-24s", "");
		for (size_t r = 0; r < nr; r++)
			fprintf(out, " %-22.22s", runs[r]);
		fprintf(out, "\n");
		for (size_t b = 0; b < nb; b++) {
			fprintf(out, "  %-24.24s", builds[b]);
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
