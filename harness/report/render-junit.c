/* report --format junit: JUnit XML as Jenkins, GitLab and GitHub test
 * reporters read it.  One testsuite per grid, one testcase per cell. */
#define _GNU_SOURCE
#include "report/render.h"
#include "report/rgrid.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <string.h>

/* Why the cell failed, for the failure's text: what the loader said, the
 * symbols the prediction named, the command to run it again. */
static void failure_text(FILE *out, const struct rcell *c)
{
	cleanup_free char *cmd = rcell_reproduce(c);
	fprintf(out, "observed: %s", c->observed);
	if (*c->detail) {
		fputs(" (", out);
		render_xml_put(out, c->detail);
		fputs(")", out);
	}
	fprintf(out, "\npredicted: %s", c->predicted);
	if (*c->predicted_detail) {
		fputs(" (", out);
		render_xml_put(out, c->predicted_detail);
		fputs(")", out);
	}
	if (!c->probe)
		fprintf(out, "\nexpected: loads and exits %d; exit %d, signal %d", c->expect_exit,
			c->exit_code, c->signal);
	for (size_t i = 0; c->problems && i < json_object_array_length(c->problems); i++) {
		json_object *p = json_object_array_get_idx(c->problems, i);
		json_object *syms = json_object_object_get(p, "symbols");
		fputs("\n", out);
		render_xml_put(out, rjs(p, "object"));
		fputs(" needs ", out);
		render_xml_put(out, *rjs(p, "node") ? rjs(p, "node") : rjs(p, "library"));
		for (size_t k = 0; k < json_object_array_length(syms) && k < 20; k++) {
			fputs(k ? ", " : ": ", out);
			render_xml_put(out, json_object_get_string(json_object_array_get_idx(syms, k)));
		}
		render_xml_why(out, p);
	}
	if (*c->stderr_text) {
		fputs("\nstderr:\n", out);
		render_xml_put(out, c->stderr_text);
	}
	fputs("\nreproduce: ", out);
	render_xml_put(out, cmd);
	fputc('\n', out);
}

int render_junit(const struct rdoc *d, FILE *out, struct gm_err **err)
{
	size_t failures = 0, skipped = 0;
	double total = 0;
	for (size_t i = 0; i < d->n; i++) {
		failures += d->cells[i].unexpected;
		skipped += d->cells[i].skipped;
		total += d->cells[i].duration_s;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"glibc-matrix\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
		     "skipped=\"%zu\" time=\"%.3f\">\n", d->n, failures, skipped, total);
	struct rgrids g;
	rgrids_build(d, &g);
	const char *started = rjs(d->root, "started");
	for (size_t gi = 0; gi < g.n; gi++) {
		const struct rgrid *r = &g.v[gi];
		size_t tests = 0, fail = 0, skip = 0;
		double t = 0;
		for (size_t q = 0; q < r->nrows * r->ncols; q++)
			for (size_t k = 0; k < r->sq[q].n; k++) {
				const struct rcell *c = &d->cells[r->sq[q].cells[k]];
				tests++;
				fail += c->unexpected;
				skip += c->skipped;
				t += c->duration_s;
			}
		fputs("  <testsuite name=\"", out);
		render_xml_put(out, r->name);
		fprintf(out, "\" id=\"%zu\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
			     "time=\"%.3f\"", gi, tests, fail, skip, t);
		if (*started) {
			/* xs:dateTime without the zone letter, as the schema wants. */
			fputs(" timestamp=\"", out);
			fprintf(out, "%.19s", started);
			fputs("\" hostname=\"localhost\"", out);
		}
		fputs(">\n", out);
		for (size_t q = 0; q < r->nrows * r->ncols; q++)
			for (size_t k = 0; k < r->sq[q].n; k++) {
				const struct rcell *c = &d->cells[r->sq[q].cells[k]];
				fputs("    <testcase classname=\"", out);
				render_xml_put(out, c->subject);
				fputc('/', out);
				render_xml_put(out, c->method);
				fputs("\" name=\"", out);
				cleanup_free char *name = xasprintf(
					"%s on %s%s%s", *c->build ? c->build : "as built", c->run,
					*c->rootfs ? " in " : "", c->rootfs);
				render_xml_put(out, name);
				fprintf(out, "\" time=\"%.3f\"", c->duration_s);
				if (c->unexpected) {
					fputs(">\n      <failure type=\"", out);
					render_xml_put(out, c->observed);
					fputs("\" message=\"", out);
					render_xml_put(out, c->loader_message ? c->loader_message : c->detail);
					fputs("\">", out);
					failure_text(out, c);
					fputs("</failure>\n    </testcase>\n", out);
				} else if (c->skipped) {
					fputs(">\n      <skipped message=\"", out);
					render_xml_put(out, c->detail);
					fputs("\"/>\n    </testcase>\n", out);
				} else {
					fputs("/>\n", out);
				}
			}
		fputs("  </testsuite>\n", out);
	}
	rgrids_release(&g);
	fputs("</testsuites>\n", out);
	if (fflush(out) != 0 || ferror(out))
		return gm_infra(err, 0, "cannot write the report");
	return 0;
}
