/* glibc-matrix check BINARY... --against S...: the matrix for a user's own
 * binaries, the release-gating entry point. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "elf/elfinfo.h"
#include "matrix/matrix.h"
#include "probes/probes.h"
#include "report/baseline.h"
#include "report/policy.h"
#include "report/rdoc.h"
#include "report/report.h"
#include "routes/route.h"
#include "verdict/predict.h"
#include "base/arch.h"
#include "container/binfmt.h"
#include "store/rootfs.h"
#include "cli/select.h"
#include "base/fs.h"
#include "base/util.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix check BINARY... --against S... [--method M]...\n"
	"         [--args \"A B\"] [--host-program \"PROG ARGS\"] [--library-path DIR]...\n"
	"         [--expect-exit N] [-j N] [--timeout SEC] [--out DIR]\n"
	"         [--baseline OLD.json] [--policy FILE] [--allow-empty]\n"
	"         [--rootfs R]... [--hook PATH [--hook-arg A]... [--hook-env K=V]...]\n"
	"\n"
	"Runs each BINARY against each sysroot S by each method, predicts each cell\n"
	"from the ELF data (as 'explain' does) and reports both.  BINARY is a program\n"
	"(PIE or not), a static executable (glibc-independent: the routes that swap\n"
	"the glibc are skipped, with the reason) or a shared object (loaded by a host\n"
	"program).  BINARY's own RUNPATH ($ORIGIN included) is searched right after\n"
	"the sysroot's directories; libraries it needs beyond those are found as the\n"
	"host finds them, after, and the report names them.  A file of another\n"
	"architecture is never executed (skipped).\n"
	"\n"
	"  --against S     a sysroot name or 'host' (repeatable, at least one)\n"
	"  --method M      one of the methods below (repeatable; default: those marked *)\n"
	"  --args \"...\"    arguments for each binary, split into words as a shell does\n"
	"                  (quotes and backslashes; no expansions; default none)\n"
	"  --host-program \"PROG ARGS\"  the program that loads a shared object given as\n"
	"                  BINARY (its path is appended to ARGS), e.g. \"node -e\n"
	"                  'require(process.argv[1])'\"; default: load-object, our own\n"
	"                  dlopen(RTLD_NOW) program built against each sysroot\n"
	"  --library-path DIR  searched for libraries beyond glibc after the sysroot's\n"
	"                  directories and BINARY's own RUNPATH, before the host's\n"
	"                  (repeatable)\n"
	"  --expect-exit N the exit status that means success (default 0)\n"
	"  --out DIR       results.json goes there (default reports/check-<UTC time>)\n"
	"  --baseline OLD.json  gate on regressions only: a cell that was as expected in\n"
	"                  OLD (an earlier check's results.json) and is not now, or a new\n"
	"                  cell that is not as expected; the changes are listed\n"
	"  --policy FILE   gate by a policy: which cells must be as expected, which may\n"
	"                  fail and why (format: README, examples: ci/policies/)\n"
	"  --allow-empty   exit 0 when no cell ran (all skipped), not 77\n"
	CONTAINER_HELP
	"  A container method runs BINARY in each --rootfs tree (default: every one);\n"
	"  `check --method inject --hook PATH` gates a glibc-injection hook's release.\n"
	"\n"
	"Methods (routes):\n";

static const char help_tail[] =
	"\n"
	"Exit: 0 every cell ran as expected and matched its prediction, 1 some did not\n"
	"(the release gate fails), 2 usage or a BINARY not ELF or malformed, 3\n"
	"infrastructure, 77 no cell ran (every one skipped: a static executable by\n"
	"routes that swap the glibc, another architecture; the gate ran nothing, so it\n"
	"does not pass), 130 interrupted.\n";

static int print_help(void)
{
	cleanup_free char *defaults = route_names(ROUTE_CHECK_DEFAULT);
	gm_help_routes(help, 0, "");
	printf("  * default: %s\n%s", defaults, help_tail);
	return 0;
}

/* Why a cell cannot run here, or NULL.  Nothing of another machine is
 * executed by the host itself (the kernel refuses it, and a loader of
 * another architecture must never be run at all): it runs under qemu-user
 * (emulator, NULL when there is none) by the routes that can prefix it.  A
 * static executable is run only directly: it carries its own libc, so
 * routes that swap the glibc do not apply to it. */
static char *cell_skip(const struct gm_config *cfg, const struct elf_info *info, const struct sysroot *run,
		       const struct route *rt, const struct rootfs *tree, bool host_program,
		       const char *emulator)
{
	const struct gm_arch *a = arch_by_machine(info->machine, info->elfclass);
	const struct gm_arch *host = arch_host();
	const char *mach = a ? a->gnu : elf_machine_name(info->machine);
	if (!a || !host)
		return xasprintf("a %s file on a %s machine glibc-matrix does not know", mach,
				 host ? host->gnu : "unknown");
	/* In a tree of its architecture the kernel runs it (binfmt_misc);
	 * elsewhere qemu-user does, in front of the routes that take it. */
	char *why = NULL;
	if (a != host && tree && (rt->caps & ROUTE_BINFMT) && strcmp(tree->arch, a->gnu) == 0) {
		if (!binfmt_ready(cfg, a, &why))
			return why;
	} else if (a != host && !emulator) {
		return xasprintf("a %s file on a %s machine: no %s here to run it (Debian package "
				 "qemu-user-static)", mach, host->gnu, a->qemu);
	}
	if (a != host && !(rt->caps & (ROUTE_EMULATOR | ROUTE_BINFMT)))
		return xasprintf("a %s file: route %s runs programs of this %s machine only", mach,
				 rt->name, host->gnu);
	if (a != host && host_program)
		return xasprintf("a %s shared object: --host-program runs on this %s machine", mach,
				 host->gnu);
	if (!route_runs_on_host(rt) && strcmp(run->arch, a->gnu) != 0)
		return xasprintf("sysroot %s is %s, the file is %s", run->name, run->arch, a->gnu);
	if (tree && strcmp(tree->arch, a->gnu) != 0)
		return xasprintf("root filesystem %s is %s, the file is %s", tree->name, tree->arch,
				 a->gnu);
	switch (elf_file_kind(info)) {
	case ELF_FILE_STATIC_EXEC:
		if (!route_runs_on_host(rt) && !(rt->caps & ROUTE_ROOTFS_ONLY))
			return xstrdup(PREDICT_STATIC_SKIP);
		return NULL;
	case ELF_FILE_SHARED_OBJECT:
		/* load-object (built against the run sysroot) dlopens it, or the
		 * user's --host-program, which any route on this machine runs. */
		if (route_in_container(rt))
			return xstrdup("shared object: check loads it in a program of this machine, "
				       "and container routes run what is in the tree");
		if (route_runs_on_host(rt) && !host_program)
			return xasprintf("shared object: route %s runs programs, and check loads a "
					 "shared object with its own program built against each "
					 "sysroot (routes loader, interp, rpath, env), or with "
					 "--host-program", rt->name);
		return NULL;
	case ELF_FILE_OTHER:
		return xasprintf("a %s cannot be run", elf_file_kind_name(elf_file_kind(info)));
	default:
		return NULL;
	}
}

static void infos_free(struct elf_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		elf_info_release(&v[i]);
	free(v);
}

/* The program that loads a user's shared object: cases/tools/load-object.c,
 * built against every run sysroot as a probe is (cached in the store). */
static int build_loaders(const struct gm_ctx *ctx, const struct sysroot *runs, size_t n_runs,
			 int jobs, struct probe **ret, struct gm_err **err)
{
	char *sources[] = {"tools/load-object.c", NULL};
	char *cflags[] = {"-O2", NULL};
	char *ldflags[] = {"-ldl", NULL};
	char *none[] = {NULL};
	struct gm_case tool = {.name = "load-object", .sources = sources, .cflags = cflags,
			       .ldflags = ldflags, .plugin_cflags = none, .node = "none",
			       .exercises = "check's host program for shared objects",
			       .runtime = none};
	const struct gm_case *cs[] = {&tool};
	if (probes_build(ctx, runs, n_runs, cs, 1, jobs, ret, err) < 0)
		return -1;
	/* probes_build copies nothing of the case: point the entries at ours
	 * no longer, they only need dir and binary from here on. */
	for (size_t i = 0; i < n_runs; i++)
		(*ret)[i].kase = NULL;
	return 0;
}

/* The load-object program built against run, or NULL (with why). */
static const struct probe *loader_for(const struct probe *v, size_t n, const struct sysroot *run)
{
	for (size_t i = 0; v && i < n; i++)
		if (v[i].build == run)
			return &v[i];
	return NULL;
}

/* ldcache injects a probe's own library: nothing of a user's binary. */
static int no_probe_library(const struct route **ms, size_t n, struct gm_err **err)
{
	for (size_t k = 0; k < n; k++)
		if (ms[k]->caps & ROUTE_PROBE_LIBRARY)
			return gm_usage(err, "check: method %s injects a probe's own library; use run",
					ms[k]->name);
	return 0;
}

static int check(struct gm_ctx *ctx, int argc, char **argv, struct container_opts *o,
		 struct gm_err **err)
{
	enum { OPT_ARGS = 1000, OPT_EXPECT, OPT_TIMEOUT, OPT_OUT, OPT_HOST, OPT_LIBPATH,
	       OPT_BASELINE, OPT_POLICY, OPT_ALLOW_EMPTY };
	static const struct option opts[] = {
		{"against", required_argument, NULL, 'a'},
		{"method", required_argument, NULL, 'm'},
		{"args", required_argument, NULL, OPT_ARGS},
		{"host-program", required_argument, NULL, OPT_HOST},
		{"library-path", required_argument, NULL, OPT_LIBPATH},
		{"expect-exit", required_argument, NULL, OPT_EXPECT},
		{"jobs", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"out", required_argument, NULL, OPT_OUT},
		{"baseline", required_argument, NULL, OPT_BASELINE},
		{"policy", required_argument, NULL, OPT_POLICY},
		{"allow-empty", no_argument, NULL, OPT_ALLOW_EMPTY},
		CONTAINER_LONG_OPTIONS,
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	cleanup_strv char **against = xcalloc(1, sizeof(char *));
	cleanup_strv char **methods = xcalloc(1, sizeof(char *));
	cleanup_strv char **args = xcalloc(1, sizeof(char *));
	cleanup_strv char **host_program = NULL;
	cleanup_strv char **libpath = xcalloc(1, sizeof(char *));
	const char *why = NULL;
	struct matrix_opts mo = {.timeout_s = 60};
	cleanup_free char *out = NULL;
	const char *baseline = NULL, *policy_file = NULL;
	json_object *old = NULL;
	struct policy pol = {0};
	int expect_exit = 0, c;
	bool allow_empty = false;
	char *end;

	while ((c = getopt_long(argc, argv, "a:m:j:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		int handled = container_opt(c, optarg, o, err);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		switch (c) {
		case 'a': strv_push(&against, optarg); break;
		case 'm': strv_push(&methods, optarg); break;
		case OPT_ARGS:
			strv_free(args);
			if (!(args = strv_split_words(optarg, &why)))
				return gm_usage(err, "--args '%s': %s", optarg, why);
			break;
		case OPT_HOST:
			strv_free(host_program);
			if (!(host_program = strv_split_words(optarg, &why)))
				return gm_usage(err, "--host-program '%s': %s", optarg, why);
			if (!host_program[0])
				return gm_usage(err, "--host-program: want PROGRAM [ARGS]");
			break;
		case OPT_LIBPATH: {
			struct gm_err *e = NULL;
			char *d = path_real(optarg, &e);
			if (!d || !path_is_dir(d)) {
				free(d);
				gm_err_free(&e);
				return gm_usage(err, "--library-path '%s': not a directory", optarg);
			}
			strv_push_take(&libpath, d);
			break;
		}
		case OPT_EXPECT:
			expect_exit = (int)strtol(optarg, &end, 10);
			if (*end || expect_exit < 0 || expect_exit > 255)
				return gm_usage(err, "--expect-exit '%s': want 0 to 255", optarg);
			break;
		case 'j':
			mo.jobs = (int)strtol(optarg, &end, 10);
			if (*end || mo.jobs < 1 || mo.jobs > 256)
				return gm_usage(err, "--jobs '%s': want 1 to 256", optarg);
			break;
		case OPT_TIMEOUT:
			mo.timeout_s = strtod(optarg, &end);
			if (*end || end == optarg || !(mo.timeout_s > 0 && mo.timeout_s <= 86400))
				return gm_usage(err, "--timeout '%s': want seconds, more than 0 "
						"and at most 86400", optarg);
			break;
		case OPT_OUT: free(out); out = xstrdup(optarg); break;
		case OPT_BASELINE: baseline = optarg; break;
		case OPT_POLICY: policy_file = optarg; break;
		case OPT_ALLOW_EMPTY: allow_empty = true; break;
		case 'h': return print_help();
		default: return cmd_bad_option(err, "check", argv, "a:m:j:hq", opts);
		}
	}
	if (optind >= argc || !strv_len(against))
		return gm_usage(err, "check: want BINARY... and at least one --against S (see --help)");
	struct elf_info *infos = xcalloc((size_t)(argc - optind), sizeof(*infos));
	for (int i = optind; i < argc; i++) {
		int r = elf_info_read(argv[i], &infos[i - optind], err);
		if (r <= 0) {
			infos_free(infos, (size_t)(i - optind));
			if (r == 0)
				return gm_usage(err, "check: '%s' is not an ELF file", argv[i]);
			return -1;
		}
	}
	/* The host program loads the user's shared objects: a file of this
	 * machine, found as a shell finds it. */
	cleanup_free char *hp_abs = NULL;
	if (host_program) {
		cleanup_free char *found = fs_find_program(host_program[0]);
		struct gm_err *e = NULL;
		if (!found || !(hp_abs = path_real(found, &e))) {
			gm_err_free(&e);
			infos_free(infos, (size_t)(argc - optind));
			return gm_usage(err, "--host-program: no program '%s'", host_program[0]);
		}
		struct elf_info hinfo;
		int hr = elf_info_read(hp_abs, &hinfo, NULL);
		if (hr == 1)
			elf_info_release(&hinfo);
		if (hr != 1) {
			infos_free(infos, (size_t)(argc - optind));
			return gm_usage(err, "--host-program: '%s' is not an ELF program (a script or "
					     "a wrapper? name the program it runs)", hp_abs);
		}
	}
	bool any_so = false;
	for (int i = optind; i < argc; i++)
		any_so |= elf_file_kind(&infos[i - optind]) == ELF_FILE_SHARED_OBJECT;
	struct sysroot *runs = NULL, host;
	const struct route **ms = NULL;
	struct probe *loaders = NULL;
	size_t n_runs = 0, n_ms = 0;
	struct matrix m = {.command_line = ctx->argv};
	struct trees t = {0};
	int r = -1;
	sysroot_host(&host);
	char *abs_out = NULL;
	/* Suite names and versions mean the files' architecture when they all
	 * have one ("bookworm" for an aarch64 file is debian-bookworm-arm64). */
	const struct gm_arch *files_arch = NULL;
	for (int i = optind; i < argc; i++) {
		const struct gm_arch *a = arch_by_machine(infos[i - optind].machine,
							  infos[i - optind].elfclass);
		files_arch = i == optind || a == files_arch ? a : NULL;
		if (!files_arch)
			break;
	}
	/* Last of the checks: a usage error leaves no empty report directory.
	 * A bad baseline or policy is one, found before anything builds or
	 * runs. */
	if ((baseline && rdoc_load(baseline, &old, err) < 0) ||
	    (policy_file && policy_load(policy_file, &pol, err) < 0) ||
	    select_sysroots(ctx->cfg, against, files_arch ? files_arch->gnu : NULL, &runs, &n_runs, err) < 0 ||
	    select_methods(methods, ROUTE_CHECK_DEFAULT, &ms, &n_ms, err) < 0 ||
	    container_select(ctx->cfg, o, strv_len(methods), files_arch ? files_arch->gnu : NULL, ms, &n_ms,
			     &t, &mo.hook, err) < 0 ||
	    no_probe_library(ms, n_ms, err) < 0 ||
	    (any_so && !host_program &&
	     build_loaders(ctx, runs, n_runs, mo.jobs, &loaders, err) < 0) ||
	    matrix_outdir(out, "check-", &abs_out, err) < 0)
		goto done;
	free(out);
	out = abs_out;

	for (int i = optind; i < argc; i++) {
		cleanup_free char *abs = path_real(argv[i], err);
		cleanup_strv char **libs = NULL;
		const struct gm_arch *fa = arch_by_machine(infos[i - optind].machine,
							   infos[i - optind].elfclass);
		cleanup_free char *emulator = fa && fa != arch_host() ? arch_emulator(fa) : NULL;
		if (!abs)
			goto done;
		cleanup_strv char **extra = select_host_lib_dirs(abs, &libs);
		for (size_t k = 0; k < n_ms; k++) {
			bool own = ms[k]->caps & ROUTE_ROOTFS_ONLY;
			size_t n_trees = route_in_container(ms[k]) ? t.n : 1;
			size_t n = route_runs_on_host(ms[k]) || own ? 1 : n_runs;
			for (size_t q = 0; q < n * n_trees; q++) {
				size_t tree = q / n;
				const struct sysroot *run = route_runs_on_host(ms[k]) ? &host
							    : own ? &t.own[tree] : &runs[q % n];
				struct cell *cl = matrix_add(&m, argv[i], abs, NULL, run, ms[k]);
				cl->rootfs = route_in_container(ms[k]) ? &t.v[tree] : NULL;
				cl->expect_exit = expect_exit;
				cl->skip_reason = cell_skip(ctx->cfg, &infos[i - optind], run, ms[k], cl->rootfs,
							    hp_abs != NULL, emulator);
				if (emulator && !cl->skip_reason && !cl->rootfs)
					cl->emulator = xstrdup(emulator);
				cl->static_binary = elf_file_kind(&infos[i - optind]) == ELF_FILE_STATIC_EXEC;
				if (elf_file_kind(&infos[i - optind]) == ELF_FILE_SHARED_OBJECT &&
				    !cl->skip_reason) {
					const struct probe *lo = loader_for(loaders, n_runs, run);
					if (hp_abs) {
						free(cl->binary);
						cl->binary = xstrdup(hp_abs);
						cl->loads = xstrdup(abs);
						for (size_t a = 1; host_program[a]; a++)
							strv_push(&cl->args, host_program[a]);
						strv_push(&cl->args, abs);
					} else if (!lo || lo->status != PROBE_BUILT) {
						cl->skip_reason = xasprintf("load-object did not build "
									    "against %s: %s", run->name,
									    lo ? lo->reason : "?");
					} else {
						free(cl->binary);
						cl->binary = xstrdup(lo->binary);
						cl->loads = xstrdup(abs);
						strv_push(&cl->args, abs);
					}
				} else {
					for (size_t a = 0; args[a]; a++)
						strv_push(&cl->args, args[a]);
				}
				for (size_t d = 0; libpath[d]; d++)
					strv_push(&cl->extra_libdirs, libpath[d]);
				for (size_t d = 0; extra[d]; d++)
					if (!strv_contains(cl->extra_libdirs, extra[d]))
						strv_push(&cl->extra_libdirs, extra[d]);
			}
		}
		for (size_t l = 0; libs[l]; l++)
			gm_note(ctx, "%s needs %s from the host (searched after the sysroot's "
				     "libraries)", argv[i], libs[l]);
	}
	mo.outdir = out;
	int xr = matrix_execute(ctx, &m, &mo, err);
	size_t bad = 0;
	for (size_t i = 0; i < m.n; i++) {
		const struct cell *cl = &m.cells[i];
		if (cl->skip_reason) {
			printf("  %s against %s by %s%s%s: skipped (%s)\n", cl->subject, cl->run->name,
			       cl->method->name, cl->rootfs ? " in " : "",
			       cl->rootfs ? cl->rootfs->name : "", cl->skip_reason);
			continue;
		}
		if (!cell_unexpected(cl))
			continue;
		if (!bad++)
			printf("cells that did not run as expected:\n");
		printf("  %s against %s by %s%s%s: %s (%s)\n", cl->subject, cl->run->name,
		       cl->method->name, cl->rootfs ? " in " : "", cl->rootfs ? cl->rootfs->name : "",
		       gm_outcome_name(cl->observed), cl->observed_detail ? cl->observed_detail : "");
	}
	if ((old || policy_file) && xr == 0) {
		/* The gate is then the regressions (what failed before too is
		 * listed, not counted) and the policy's violations. */
		json_object *now = matrix_document(&m, NULL);
		bad = old ? baseline_gate(old, now, stdout) : 0;
		if (policy_file) {
			struct rdoc d;
			rdoc_open(now, &d);
			bad += policy_gate(&pol, &d, stdout);
			rdoc_close(&d);
		}
		json_object_put(now);
	}
	r = report_finish(ctx->cfg, &m, out, xr, bad, err);
	/* Nothing ran (another architecture without an emulator, a static
	 * executable by routes that swap the glibc): a release gate that
	 * tested nothing must not pass. */
	if (r == 0)
		r = report_nothing_ran(&m, allow_empty, err);
done:
	if (old)
		json_object_put(old);
	policy_release(&pol);
	if (loaders)
		probes_free(loaders, n_runs);
	infos_free(infos, (size_t)(argc - optind));
	matrix_release(&m);
	sysroot_list_free(runs, n_runs);
	trees_release(&t);
	sysroot_release(&host);
	free(ms);
	return r;
}

int cmd_check(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct container_opts o = {0};
	int r = check(ctx, argc, argv, &o, err);
	container_opts_release(&o);
	return r;
}
