/* glibc-matrix run: every probe, built against every build sysroot, run
 * against every run sysroot by every method; predicted, observed, compared. */
#define _GNU_SOURCE
#include "probes/cases.h"
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "matrix/matrix.h"
#include "plan/cells.h"
#include "report/report.h"
#include "exec/pool.h"
#include "probes/probes.h"
#include "cli/select.h"
#include "base/fs.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix run [--build S]... [--run S]... [--method M]...\n"
	"         [--case C]... [-j N] [--timeout SEC] [--out DIR] [--test-cases]\n"
	"         [--lazy] [--keep-work] [--shard I/N] [--arch A] [--allow-empty]\n"
	"         [--rootfs R]... [--hook PATH [--hook-arg A]... [--hook-env K=V]...]\n"
	"\n"
	"Builds the probes of cases/ against each --build sysroot and runs each against\n"
	"each --run sysroot by each method; every cell is predicted from the ELF data,\n"
	"observed, classified and compared.  Default: every sysroot in the store for this\n"
	"machine's architecture on both axes, every method that runs on the host, every\n"
	"case but the test-only.  The container methods run in each --rootfs root\n"
	"filesystem (glibc-matrix rootfs build); they are in the default set when\n"
	"--rootfs is given, and a container method named without --rootfs runs in every\n"
	"root filesystem of the store.\n"
	"\n"
	"Methods:\n";

static const char help_tail[] =
	"\n"
	"  -j, --jobs N      cells in parallel (default: number of CPUs)\n"
	"      --timeout S   seconds per cell (default 20)\n"
	"      --out DIR     where results.json goes (default: a new reports/<UTC time>,\n"
	"                    with -2, -3... when another run took that second)\n"
	"      --lazy        do not set LD_BIND_NOW=1 (by default every symbol is bound\n"
	"                    at start-up, so a verdict does not depend on the code path)\n"
	"      --keep-work   keep the patched copies under DIR/work\n"
	"      --arch A      the architecture of the default sysroots, and of suite names\n"
	"                    and versions given to --build and --run (default: this\n"
	"                    machine's); another one runs under qemu-user, probes\n"
	"                    cross-built (e.g. --arch arm64)\n"
	"      --shard I/N   run the I-th of N slices of the plan (1 <= I <= N): every\n"
	"                    N-th case of the selection, starting with the I-th, with\n"
	"                    all its cells, so a CI job matrix of N jobs runs the plan\n"
	"                    once; `report merge` puts the shards' results.json together\n"
	"                    (ci/github, ci/gitlab)\n"
	"      --allow-empty exit 0 when no cell ran (all skipped), not 77\n"
	CONTAINER_HELP
	"\n"
	"Exit: 0 no mismatch, 1 mismatches (listed), 2 usage, 3 infrastructure,\n"
	"77 no cell ran (every one skipped: nothing was tested), 130 interrupted\n"
	"(results.json is still written, marked incomplete).\n";

struct run_opts {
	char **builds, **runs, **methods, **cases;
	struct container_opts ctr;
	struct matrix_opts m;
	bool test_cases;
	bool allow_empty;    /* --allow-empty: no cell ran is 0, not 77 */
	char *out;
	long shard, shards;  /* --shard I/N; 0/0 when absent */
	const char *arch;    /* --arch, GNU name; NULL: this machine's */
	const char *timeout; /* --timeout as given, or NULL */
};

/* "I/N" with 1 <= I <= N <= 1000. */
static int parse_shard(const char *s, long *i, long *n, struct gm_err **err)
{
	char *end;
	*i = strtol(s, &end, 10);
	if (end != s && *end == '/') {
		const char *d = end + 1;
		*n = strtol(d, &end, 10);
		if (end != d && !*end && *i >= 1 && *n >= 1 && *i <= *n && *n <= 1000)
			return 0;
	}
	return gm_usage(err, "--shard '%s': want I/N with 1 <= I <= N <= 1000, e.g. 2/4", s);
}

/* The shard's cases: every N-th of the selection from the I-th.  Cases
 * are the unit because a probe is built once per case and build sysroot:
 * a shard builds only its own.  Each case has the same cells per sysroot
 * and method but for the few a case skips, so the slices come out even. */
static void take_shard(const struct gm_case **cs, size_t *n, long shard, long shards)
{
	size_t k = 0;
	for (size_t i = 0; i < *n; i++)
		if ((long)(i % (size_t)shards) == shard - 1)
			cs[k++] = cs[i];
	*n = k;
}

static int parse(struct gm_ctx *ctx, int argc, char **argv, struct run_opts *o, bool *helped,
		 struct gm_err **err)
{
	enum { OPT_TIMEOUT = 1000, OPT_OUT, OPT_TEST, OPT_LAZY, OPT_KEEP, OPT_SHARD, OPT_ARCH,
	       OPT_ALLOW_EMPTY };
	static const struct option opts[] = {
		{"build", required_argument, NULL, 'b'},
		{"run", required_argument, NULL, 'r'},
		{"method", required_argument, NULL, 'm'},
		{"case", required_argument, NULL, 'c'},
		{"jobs", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"out", required_argument, NULL, OPT_OUT},
		{"test-cases", no_argument, NULL, OPT_TEST},
		{"lazy", no_argument, NULL, OPT_LAZY},
		{"keep-work", no_argument, NULL, OPT_KEEP},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
		CONTAINER_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	*helped = false;
	while ((c = getopt_long(argc, argv, "b:r:m:c:j:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		int handled = container_opt(c, optarg, &o->ctr, err);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		switch (c) {
		case 'b': strv_push(&o->builds, optarg); break;
		case 'r': strv_push(&o->runs, optarg); break;
		case 'm': strv_push(&o->methods, optarg); break;
		case 'c': strv_push(&o->cases, optarg); break;
		case 'j':
			o->m.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o->m.jobs < 1 || o->m.jobs > 256)
				return gm_usage(err, "--jobs '%s': want 1 to 256", optarg);
			break;
		case OPT_TIMEOUT:
			o->m.timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || !(o->m.timeout_s > 0 && o->m.timeout_s <= 86400))
				return gm_usage(err, "--timeout '%s': want seconds, more than 0 "
						"and at most 86400", optarg);
			o->timeout = optarg;
			break;
		case OPT_OUT: free(o->out); o->out = xstrdup(optarg); break;
		case OPT_TEST: o->test_cases = true; break;
		case OPT_LAZY: o->m.lazy = true; break;
		case OPT_KEEP: o->m.keep_work = true; break;
		case OPT_ALLOW_EMPTY: o->allow_empty = true; break;
		case OPT_ARCH:
			if (select_arch(optarg, &o->arch, err) < 0)
				return -1;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o->shard, &o->shards, err) < 0)
				return -1;
			break;
		case 'h': *helped = true; return gm_help_methods(help, 0, help_tail);
		default: return cmd_bad_option(err, "run", argv, "b:r:m:c:j:hq", opts);
		}
	}
	if (optind != argc)
		return gm_usage(err, "run: unexpected argument '%s' (see --help)", argv[optind]);
	return 0;
}

/* The subjects of the plan: every probe built (or not) against every
 * build sysroot. */
static struct plan_subject *probe_subjects(const struct probe *probes, size_t n)
{
	struct plan_subject *v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		plan_subject_probe(&probes[i], &v[i]);
	return v;
}

/* The architecture all build sysroots share (the trees "every tree" means),
 * or NULL when they are of several. */
static const char *builds_arch(const struct sysroot *builds, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(builds[i].arch, builds[0].arch) != 0)
			return NULL;
	return n ? builds[0].arch : NULL;
}

/* The options that shape run's cells, as the words that give them (the
 * cells' sysroots are full names: --arch does not change them). */
static void run_words(const struct run_opts *o, struct plan_words *w)
{
	if (o->timeout) {
		strv_push(&w->every, "--timeout");
		strv_push(&w->every, o->timeout);
	}
	if (o->m.lazy)
		strv_push(&w->every, "--lazy");
	container_hook_words(&o->ctr, &w->hook);
}

int cmd_run(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct run_opts o = {.m = {.timeout_s = 20}};
	struct gm_cases all = {0};
	const struct gm_case **cs = NULL;
	const struct method **ms = NULL;
	struct sysroot *builds = NULL, *runs = NULL, host;
	size_t n_cs = 0, n_ms = 0, n_b = 0, n_r = 0;
	struct probe *probes = NULL, *run_probes = NULL;
	struct matrix m = {.command_line = ctx->argv};
	struct trees t = {0};
	struct plan_subject *subjects = NULL;
	struct plan_words words = {0};
	bool helped;
	int r = -1;

	sysroot_host(&host);
	if (parse(ctx, argc, argv, &o, &helped, err) < 0 || helped) {
		r = helped ? 0 : -1;
		goto out;
	}
	char *abs_out = NULL;
	if (cases_load(ctx->cfg, &all, err) < 0 ||
	    select_cases(&all, o.cases, o.test_cases || strv_len(o.cases), &cs, &n_cs, err) < 0 ||
	    select_methods(o.methods, 0, &ms, &n_ms, err) < 0 ||
	    select_sysroots(ctx->cfg, o.builds, o.arch ? o.arch : strv_len(o.builds) ? NULL : host_arch(),
			    &builds, &n_b, err) < 0 ||
	    select_sysroots(ctx->cfg, o.runs, o.arch ? o.arch : strv_len(o.runs) ? NULL : host_arch(),
			    &runs, &n_r, err) < 0 ||
	    container_select(ctx->cfg, &o.ctr, strv_len(o.methods), builds_arch(builds, n_b), ms, &n_ms, &t,
			     &o.m.hook, err) < 0 ||
	    matrix_outdir(o.out, "", &abs_out, err) < 0)
		goto out;
	free(o.out);
	o.out = abs_out;
	if (o.shards) {
		size_t all_cases = n_cs;
		take_shard(cs, &n_cs, o.shard, o.shards);
		gm_note(ctx, "shard %ld/%ld: %zu of %zu cases", o.shard, o.shards, n_cs, all_cases);
	}
	gm_note(ctx, "building %zu probes against %zu sysroots", n_cs, n_b);
	if (probes_build(ctx, builds, n_b, cs, n_cs, o.m.jobs, &probes, err) < 0)
		goto out;
	/* ldcache injects each case's library built against the run sysroot. */
	for (size_t k = 0; k < n_ms; k++)
		if ((ms[k]->caps & METHOD_PROBE_LIBRARY) && !run_probes &&
		    probes_build(ctx, runs, n_r, cs, n_cs, o.m.jobs, &run_probes, err) < 0)
			goto out;
	subjects = probe_subjects(probes, n_b * n_cs);
	struct plan_input in = {.subjects = subjects, .n_subjects = n_b * n_cs, .methods = ms,
				.n_methods = n_ms, .runs = runs, .n_runs = n_r, .host = &host,
				.trees = t.v, .tree_glibc = t.own, .n_trees = t.n,
				.tree_programs = t.progs, .image_by_prediction = true,
				.run_probes = run_probes, .n_run_probes = run_probes ? n_r * n_cs : 0,
				.words = &words};
	run_words(&o, &words);
	struct plan_machine here;
	plan_machine_here(ctx->cfg, &here);
	plan_cells(&in, &here, &m);
	gm_note(ctx, "running %zu cells, %d at a time; results in %s/results.json", m.n,
		o.m.jobs > 0 ? o.m.jobs : pool_default_jobs(), o.out);
	o.m.outdir = o.out;
	int xr = matrix_execute(ctx, &m, &o.m, err);
	r = report_finish(ctx->cfg, &m, o.out, xr, 0, err);
	if (r == 0)
		r = report_nothing_ran(&m, o.allow_empty, err);
out:
	plan_words_release(&words);
	free(subjects);
	matrix_release(&m);
	probes_free(probes, n_b * n_cs);
	if (run_probes)
		probes_free(run_probes, n_r * n_cs);
	sysroot_list_free(builds, n_b);
	sysroot_list_free(runs, n_r);
	trees_release(&t);
	sysroot_release(&host);
	free(cs);
	free(ms);
	cases_release(&all);
	strv_free(o.builds);
	strv_free(o.runs);
	strv_free(o.methods);
	strv_free(o.cases);
	container_opts_release(&o.ctr);
	free(o.out);
	return r;
}
