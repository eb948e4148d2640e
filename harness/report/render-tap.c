/* report --format tap: TAP version 14, one test point per cell. */
#define _GNU_SOURCE
#include "report/render.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <string.h>

/* A TAP description cannot hold '#' (it starts a directive) nor a line
 * break. */
static void tap_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '#' ? '_' : *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02X", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

int render_tap(const struct rdoc *d, FILE *out, struct gm_err **err)
{
	fprintf(out, "TAP version 14\n1..%zu\n", d->n);
	for (size_t i = 0; i < d->n; i++) {
		const struct rcell *c = &d->cells[i];
		fprintf(out, "%s %zu - ", c->unexpected ? "not ok" : "ok", i + 1);
		tap_text(out, c->subject);
		fprintf(out, " built on %s, run on %s by %s", *c->build ? c->build : "-", c->run,
			c->method);
		if (*c->rootfs)
			fprintf(out, " in %s", c->rootfs);
		fprintf(out, ": %s", c->observed);
		if (c->skipped) {
			fputs(" # SKIP ", out);
			tap_text(out, c->detail);
		}
		fputc('\n', out);
		if (!c->unexpected && !c->mismatch)
			continue;
		cleanup_free char *cmd = rcell_reproduce(c);
		fputs("  ---\n  observed: ", out);
		yaml_str(out, c->observed);
		fputs("\n  predicted: ", out);
		yaml_str(out, c->predicted);
		fputs("\n  detail: ", out);
		yaml_str(out, c->loader_message ? c->loader_message : c->detail);
		fprintf(out, "\n  exit: %d\n  signal: %d\n  mismatch: %s\n  reproduce: ", c->exit_code,
			c->signal, c->mismatch ? "true" : "false");
		yaml_str(out, cmd);
		fputs("\n  ...\n", out);
	}
	if (fflush(out) != 0 || ferror(out))
		return gm_infra(err, 0, "cannot write the report");
	return 0;
}
