#include "report/report.h"
#include "report/rdoc.h"
#include "report/render.h"

#include <stdio.h>

int report_finish(const struct gm_config *cfg, const struct matrix *m, const char *outdir, int xr,
		  size_t extra_findings, struct gm_err **err)
{
	struct gm_err *werr = NULL;
	struct causes causes;
	bool have_causes = causes_load(cfg, &causes, &werr) == 0;
	gm_err_free(&werr);
	json_object *doc = matrix_document(m, have_causes ? &causes : NULL);
	if (have_causes)
		causes_release(&causes);
	/* After an execution error that error is the one reported; a failure to
	 * write the results then only loses the results. */
	if (report_write_run(doc, outdir, xr < 0 ? &werr : err) < 0 && xr == 0) {
		json_object_put(doc);
		return -1;
	}
	gm_err_free(&werr);
	/* The terminal summary from the document, by the grid builder of
	 * every report: what the terminal shows is what the reports show. */
	struct rdoc d;
	rdoc_open(doc, &d);
	render_text(&d, stdout, NULL);
	rdoc_close(&d);
	json_object_put(doc);
	size_t mism = 0;
	for (size_t i = 0; i < m->n; i++)
		mism += m->cells[i].verdict.mismatch;
	printf("results: %s/results.json\nreport:  %s/report.html (and summary.md, junit.xml, "
	       "results.tap)\n", outdir, outdir);
	if (xr < 0)
		return -1;
	if (!m->complete)
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted; partial results in %s",
				  outdir);
	return (mism || extra_findings) ? GM_EXIT_FINDINGS : 0;
}

int report_nothing_ran(const struct matrix *m, bool allow_empty, struct gm_err **err)
{
	const char *first = NULL;
	for (size_t i = 0; i < m->n; i++) {
		if (!m->cells[i].plan.skip_reason)
			return 0;
		first = first ? first : m->cells[i].plan.skip_reason;
	}
	if (allow_empty)
		return 0;
	if (!m->n)
		return gm_err_set(err, GM_EXIT_SKIP, 0, "no cell ran: the plan has none; a gate that "
				  "ran nothing does not pass (--allow-empty accepts it)");
	return gm_err_set(err, GM_EXIT_SKIP, 0, "no cell ran: all %zu were skipped (%s); a gate "
			  "that ran nothing does not pass (--allow-empty accepts it)", m->n, first);
}
