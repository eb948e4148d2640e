/* glibc-matrix probes list | build */
#define _GNU_SOURCE
#include "probes/cases.h"
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "probes/probes.h"
#include "cli/select.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix probes list\n"
	"       glibc-matrix probes build [--sysroot S]... [--case C]... [--test-cases] [-j N]\n"
	"                                 [--arch A]\n"
	"\n"
	"list   the cases of cases/cases.ini: name, node, oldest buildable glibc, purpose\n"
	"build  compiles each case against each sysroot (default: every sysroot in the\n"
	"       store for this machine's architecture) with the sysroot's headers, crt\n"
	"       files and libraries; results are cached in the store by their inputs.\n"
	"       --test-cases adds the test-only probes (crash, hang, fails).\n"
	"Exit: 0 all built or unavailable by design (headers too old), 1 a case failed to\n"
	"compile, 2 usage, 3 infrastructure.\n";

static int list(const struct gm_config *cfg)
{
	struct gm_cases cs;
	struct gm_err *err = NULL;
	if (cases_load(cfg, &cs, &err) < 0) {
		fprintf(stderr, "glibc-matrix: %s\n", err->msg);
		gm_err_free(&err);
		return GM_EXIT_INFRA;
	}
	printf("%-20s %-18s %-6s %s\n", "CASE", "NODE", "MIN", "EXERCISES");
	for (size_t i = 0; i < cs.n; i++)
		printf("%-20s %-18s %-6s %s%s\n", cs.v[i].name, cs.v[i].node,
		       cs.v[i].min_glibc ? cs.v[i].min_glibc : "-", cs.v[i].exercises,
		       cs.v[i].test_only ? " [test only]" : "");
	cases_release(&cs);
	return 0;
}

int cmd_probes(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_TEST = 1000 };
	static const struct option opts[] = {
		{"sysroot", required_argument, NULL, 's'},
		{"case", required_argument, NULL, 'c'},
		{"test-cases", no_argument, NULL, OPT_TEST},
		{"jobs", required_argument, NULL, 'j'},
		{"arch", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	cleanup_strv char **sysnames = xcalloc(1, sizeof(char *));
	cleanup_strv char **casenames = xcalloc(1, sizeof(char *));
	bool test_cases = false;
	const char *arch = NULL;
	int jobs = 0, c;

	if (argc < 2)
		return gm_usage(err, "probes: want 'list' or 'build' (see --help)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return gm_help(help);
	if (strcmp(argv[1], CMD_COMPLETE_WORDS) == 0)
		return gm_help("list\nbuild\n");
	if (strcmp(argv[1], "list") == 0 && argc == 3 &&
	    (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0))
		return gm_help(help);
	if (strcmp(argv[1], "list") == 0)
		return argc == 2 ? list(ctx->cfg) : gm_usage(err, "probes list takes no arguments");
	if (strcmp(argv[1], "build") != 0)
		return gm_usage(err, "probes: unknown command '%s' (list, build)", argv[1]);
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "s:c:j:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 's': strv_push(&sysnames, optarg); break;
		case 'c': strv_push(&casenames, optarg); break;
		case OPT_TEST: test_cases = true; break;
		case 'a': if (select_arch(optarg, &arch, err) < 0) return -1; break;
		case 'j': jobs = atoi(optarg); if (jobs < 1) return gm_usage(err, "bad --jobs '%s'", optarg); break;
		case 'h': return gm_help(help);
		default: return cmd_bad_option(err, "probes build", argv, "s:c:j:hq", opts);
		}
	}
	if (optind != argc)
		return gm_usage(err, "probes build: unexpected argument '%s'", argv[optind]);

	struct gm_cases all;
	struct sysroot *sys = NULL;
	size_t n_sys = 0, n_cases = 0;
	const struct gm_case **cs = NULL;
	struct probe *probes = NULL;
	int r = -1;
	if (cases_load(ctx->cfg, &all, err) < 0)
		return -1;
	if (select_cases(&all, casenames, test_cases, &cs, &n_cases, err) < 0 ||
	    select_sysroots(ctx->cfg, sysnames, arch ? arch : strv_len(sysnames) ? NULL : host_arch(), &sys,
			    &n_sys, err) < 0)
		goto out;
	if (probes_build(ctx, sys, n_sys, cs, n_cases, jobs, &probes, err) < 0)
		goto out;
	size_t built = 0, cached = 0, unavailable = 0, failed = 0;
	for (size_t i = 0; i < n_sys * n_cases; i++) {
		const struct probe *p = &probes[i];
		if (p->status == PROBE_BUILT)
			p->cached ? cached++ : built++;
		else if (p->status == PROBE_UNAVAILABLE)
			unavailable++;
		else {
			failed++;
			printf("FAILED %s against %s: %s\n", p->kase->name, p->build->name, p->reason);
		}
	}
	printf("%zu probes: %zu built, %zu cached, %zu unavailable (headers too old), %zu failed\n",
	       n_sys * n_cases, built, cached, unavailable, failed);
	r = failed ? GM_EXIT_FINDINGS : 0;
out:
	probes_free(probes, n_sys * n_cases);
	free(cs);
	sysroot_list_free(sys, n_sys);
	cases_release(&all);
	return r;
}
