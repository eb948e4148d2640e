#include "report/report.h"

#include <stdio.h>

int report_finish(const struct matrix *m, const char *outdir, int xr, size_t extra_findings,
		  struct gm_err **err)
{
	struct gm_err *werr = NULL;
	/* After an execution error that error is the one reported; a failure to
	 * write the results then only loses the results. */
	if (matrix_write_json(m, outdir, xr < 0 ? &werr : err) < 0 && xr == 0)
		return -1;
	gm_err_free(&werr);
	size_t mism = matrix_summary(m, stdout);
	printf("results: %s/results.json\nreport:  %s/report.html (and summary.md, junit.xml, "
	       "results.tap)\n", outdir, outdir);
	if (xr < 0)
		return -1;
	if (!m->complete)
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted; partial results in %s",
				  outdir);
	return (mism || extra_findings) ? GM_EXIT_FINDINGS : 0;
}
