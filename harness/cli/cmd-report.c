/* glibc-matrix report RESULTS.json...: the results of one or more runs
 * (shards of a plan, or runs to put side by side) as one report for
 * people (HTML, Markdown) or machines (JUnit, TAP, JSON). */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "report/baseline.h"
#include "report/rdoc.h"
#include "report/render.h"
#include "report/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix report RESULTS.json... [--format F] [-o FILE]\n"
	"       glibc-matrix report --baseline OLD.json RESULTS.json... [--format md|json]\n"
	"                           [-o FILE]\n"
	"       glibc-matrix report merge SHARD.json... [-o FILE]   (--format json)\n"
	"\n"
	"Reads the results documents that run and check write (results.json;\n"
	"reports/schema.json describes them) and writes one report of all their\n"
	"cells.  Several documents (the shards of a plan run by parallel CI jobs)\n"
	"are merged: cells in the order given, renumbered, the summary counted again.\n"
	"\n"
	"  --format F   html   one self-contained page: a grid per method (and root\n"
	"                      filesystem), a row per build sysroot or file, a column\n"
	"                      per run sysroot; click a square for its cells, their\n"
	"                      missing symbol@GLIBC_x.y, loader message and the command\n"
	"                      that runs the cell again\n"
	"               md     Markdown for $GITHUB_STEP_SUMMARY or a GitLab job summary\n"
	"               junit  JUnit XML: a testcase per cell, a failure where the cell\n"
	"                      did not do what was expected, skipped where it did not run\n"
	"               tap    TAP version 14, a test point per cell\n"
	"               json   the (merged) results document itself\n"
	"               text   the grids and counts run and check print\n"
	"               Default: from FILE's extension (.html .md .xml .tap .json\n"
	"               .txt), else md.\n"
	"  -o FILE      write there (atomically: a reader never sees half a report);\n"
	"               default standard output\n"
	"  --baseline OLD.json  instead of the report, the cells that changed between\n"
	"               OLD and RESULTS (the same subject, build, run, method, root\n"
	"               filesystem and architecture): regressions first (as expected\n"
	"               in OLD, not now; or new and not as expected), then fixed, other\n"
	"               class changes, new and gone cells; md or json\n"
	"\n"
	"Exit: 0 written (with --baseline: and no regression), 1 a regression, 2 usage (a file that is not a results document of this\n"
	"schema, an unknown format), 3 the report could not be written.\n";

enum format { FMT_NONE, FMT_HTML, FMT_MD, FMT_JUNIT, FMT_TAP, FMT_JSON, FMT_TEXT };

static const struct {
	const char *name, *ext;
	enum format f;
} formats[] = {
	{"html", ".html", FMT_HTML}, {"md", ".md", FMT_MD},	  {"junit", ".xml", FMT_JUNIT},
	{"tap", ".tap", FMT_TAP},    {"json", ".json", FMT_JSON}, {"html", ".htm", FMT_HTML},
	{"text", ".txt", FMT_TEXT},
};

static enum format format_named(const char *name)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, name) == 0)
			return formats[i].f;
	return FMT_NONE;
}

static enum format format_of_file(const char *path)
{
	for (size_t i = 0; path && i < sizeof(formats) / sizeof(formats[0]); i++)
		if (str_ends(path, formats[i].ext))
			return formats[i].f;
	return FMT_MD;
}

static int render(enum format f, json_object *doc, FILE *out, struct gm_err **err)
{
	if (f == FMT_JSON) {
		fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE), out);
		fputc('\n', out);
		return 0;
	}
	struct rdoc d;
	rdoc_open(doc, &d);
	int r = f == FMT_HTML	 ? render_html(&d, out, err)
		: f == FMT_JUNIT ? render_junit(&d, out, err)
		: f == FMT_TAP	 ? render_tap(&d, out, err)
		: f == FMT_TEXT	 ? render_text(&d, out, err)
				 : render_md(&d, out, err);
	rdoc_close(&d);
	return r;
}

static json_object *jchange(const struct change *c)
{
	static const char *const kinds[] = {"regression", "fixed", "class", "new", "gone"};
	const struct rcell *any = c->new ? c->new : c->old;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "change", json_object_new_string(kinds[c->kind]));
	json_object_object_add(o, "subject", json_object_new_string(any->subject));
	json_object_object_add(o, "build", *any->build ? json_object_new_string(any->build) : NULL);
	json_object_object_add(o, "run", json_object_new_string(any->run));
	json_object_object_add(o, "method", json_object_new_string(any->method));
	json_object_object_add(o, "rootfs", *any->rootfs ? json_object_new_string(any->rootfs) : NULL);
	json_object_object_add(o, "before", c->old ? json_object_get(c->old->json) : NULL);
	json_object_object_add(o, "now", c->new ? json_object_get(c->new->json) : NULL);
	return o;
}

/* The change list of --baseline; *regressions gets their count. */
static int render_changes(enum format f, json_object *old, json_object *doc, FILE *out,
			  size_t *regressions, struct gm_err **err)
{
	struct rdoc a, b;
	struct changes ch;
	if (f != FMT_MD && f != FMT_JSON)
		return gm_usage(err, "report --baseline writes md or json");
	rdoc_open(old, &a);
	rdoc_open(doc, &b);
	baseline_compare(&a, &b, &ch);
	*regressions = ch.by[CHANGE_REGRESSION];
	if (f == FMT_MD) {
		baseline_print_md(&ch, out);
	} else {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < ch.n; i++)
			json_object_array_add(arr, jchange(&ch.v[i]));
		fputs(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							  JSON_C_TO_STRING_NOSLASHESCAPE), out);
		fputc('\n', out);
		json_object_put(arr);
	}
	changes_release(&ch);
	rdoc_close(&a);
	rdoc_close(&b);
	return 0;
}

int cmd_report(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"baseline", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	const char *output = NULL, *baseline = NULL;
	enum format f = FMT_NONE;
	int c;

	while ((c = getopt_long(argc, argv, "f:o:b:hq", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			cmd_quiet(ctx);
			break;
		case 'f':
			f = format_named(optarg);
			if (f == FMT_NONE)
				return gm_usage(err, "report: unknown format '%s' (html, md, junit, tap, "
						"json)", optarg);
			break;
		case 'o':
			output = optarg;
			if (!*output)
				return gm_usage(err, "report: -o wants a file name");
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'h':
			return gm_help(help);
		default:
			return cmd_bad_option(err, "report", argv, "f:o:b:hq", opts);
		}
	}
	/* "report merge": the shards of `run --shard` as one document. */
	if (optind < argc && strcmp(argv[optind], "merge") == 0) {
		optind++;
		if (f == FMT_NONE)
			f = FMT_JSON;
	}
	if (optind >= argc)
		return gm_usage(err, "report: missing RESULTS.json (see --help)");
	if (f == FMT_NONE)
		f = format_of_file(output);

	size_t n = (size_t)(argc - optind);
	json_object **docs = xcalloc(n, sizeof(*docs));
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = rdoc_load(argv[optind + i], &docs[i], err);
	json_object *doc = NULL, *old = NULL;
	char *text = NULL;
	size_t len = 0, regressions = 0;
	if (r == 0 && baseline)
		r = rdoc_load(baseline, &old, err);
	if (r == 0) {
		doc = n == 1 ? json_object_get(docs[0]) : rdoc_merge(docs, n);
		FILE *mem = open_memstream(&text, &len);
		r = old ? render_changes(f, old, doc, mem, &regressions, err) : render(f, doc, mem, err);
		if (fclose(mem) != 0 && r == 0)
			r = gm_infra(err, 0, "report: out of memory");
	}
	if (r == 0 && output)
		r = write_file_atomic(output, text, len, 0644, err);
	else if (r == 0 && (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0))
		r = gm_infra(err, 0, "report: cannot write to standard output");
	if (r == 0 && output)
		gm_note(ctx, "report: %zu document%s, %s written", n, n == 1 ? "" : "s", output);
	if (r == 0 && regressions)
		r = gm_err_set(err, GM_EXIT_FINDINGS, 0, "%zu regression%s against %s", regressions,
			       regressions == 1 ? "" : "s", baseline);
	free(text);
	if (old)
		json_object_put(old);
	if (doc)
		json_object_put(doc);
	for (size_t i = 0; i < n; i++)
		if (docs[i])
			json_object_put(docs[i]);
	free(docs);
	return r;
}
