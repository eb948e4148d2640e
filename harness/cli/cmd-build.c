/* glibc-matrix build --for S... -- COMMAND: the user's own build (make,
 * cmake, meson, cargo, go) run with the environment that builds against
 * the oldest S, then every ELF file it wrote checked against every S. */
#define _GNU_SOURCE
#include "acquire/debimport.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "cli/build-env.h"
#include "cli/cmd.h"
#include "cli/select.h"
#include "exec/proc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char help[] =
	"usage: glibc-matrix build --for S [--for S]... [--with PKG,...] [--out DIR]\n"
	"                         [--report DIR] [--print-env] -- COMMAND [ARG]...\n"
	"\n"
	"Runs COMMAND, your project's own build, with the environment that makes it\n"
	"build against the oldest glibc among the S (as `flags --portable` does, for\n"
	"every build system at once), then checks every ELF file the build wrote\n"
	"against every S by check's default methods, and for each that fails says\n"
	"why (explain --why).  The environment:\n"
	"  CC, CXX          the host's gcc and g++ with the sysroot's headers, crt files\n"
	"                   and libraries (flags in the variable itself, so autotools,\n"
	"                   CMake, Meson and cc-rs all take them)\n"
	"  CARGO_ENCODED_RUSTFLAGS  -Clink-arg= for each link flag: cargo links\n"
	"                   against the sysroot\n"
	"  CGO_ENABLED=1, CGO_CFLAGS, CGO_CXXFLAGS, CGO_LDFLAGS  go build's cgo\n"
	"  PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR  pkg-config finds the sysroot's\n"
	"                   .pc files (a suite's -dev packages: --with)\n"
	"\n"
	"  --for S         a sysroot name, a Debian suite, a glibc version or a profile\n"
	"                  (as check --against; repeatable, at least one)\n"
	"  --with PKG,...  packages the build needs from the oldest S's suite (its -dev\n"
	"                  packages: libssl-dev, zlib1g-dev), imported as `sysroot import\n"
	"                  --with` does\n"
	"  --out DIR       the ELF files under DIR are the build's output (default: those\n"
	"                  under the current directory that the build wrote)\n"
	"  --report DIR    check's results go there (default reports/check-<UTC time>)\n"
	"  --print-env     print the environment as shell `export` lines and stop, for\n"
	"                  a build you drive yourself\n"
	"\n"
	"Exit: 0 the build succeeded and every file runs on every S; 1 a file does not\n"
	"(the gate fails) or the build failed (its status is named); 2 usage; 3\n"
	"infrastructure; 77 the build wrote no ELF file.\n";

struct build_opts {
	char **fors, **with;
	const char *out, *report;
	bool print_env;
	char **command;
};

static void build_opts_release(struct build_opts *o)
{
	strv_free(o->fors);
	strv_free(o->with);
}

static int parse(struct gm_ctx *ctx, int argc, char **argv, struct build_opts *o, bool *helped,
		 struct gm_err **err)
{
	enum { OPT_FOR = 1000, OPT_WITH, OPT_OUT, OPT_REPORT, OPT_ENV };
	static const struct option opts[] = {
		{"for", required_argument, NULL, OPT_FOR},
		{"with", required_argument, NULL, OPT_WITH},
		{"out", required_argument, NULL, OPT_OUT},
		{"report", required_argument, NULL, OPT_REPORT},
		{"print-env", no_argument, NULL, OPT_ENV},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	int c;
	*helped = false;
	/* "+": stop at the first word that is not an option (COMMAND's own) */
	while ((c = getopt_long(argc, argv, "+hq", opts, NULL)) != -1) {
		switch (c) {
		case 'q': cmd_quiet(ctx); break;
		case OPT_FOR: strv_push(&o->fors, optarg); break;
		case OPT_WITH: {
			cleanup_strv char **v = strv_split(optarg, ",");
			for (size_t i = 0; v[i]; i++)
				strv_push(&o->with, v[i]);
			break;
		}
		case OPT_OUT: o->out = optarg; break;
		case OPT_REPORT: o->report = optarg; break;
		case OPT_ENV: o->print_env = true; break;
		case 'h': *helped = true; return gm_help(help);
		default: return cmd_bad_option(err, "build", argv, "+hq", opts);
		}
	}
	o->command = argv + optind;
	if (!strv_len(o->fors))
		return gm_usage(err, "build: want at least one --for S (see --help)");
	if (!o->print_env && !o->command[0])
		return gm_usage(err, "build: want -- COMMAND [ARG]... (see --help)");
	return 0;
}

/* The oldest glibc of runs. */
static size_t oldest(const struct sysroot *runs, size_t n)
{
	size_t at = 0;
	for (size_t i = 1; i < n; i++)
		if (version_cmp(runs[i].glibc_version, runs[at].glibc_version) < 0)
			at = i;
	return at;
}

/* --with: the suite's packages into the build sysroot (an import). */
static int add_packages(struct gm_ctx *ctx, struct sysroot *s, char *const *with,
			struct gm_err **err)
{
	if (!strv_len(with))
		return 0;
	if (s->origin != ORIGIN_DEBIAN)
		return gm_usage(err, "build: --with needs a Debian suite to take packages from; "
				     "%s is not one", s->name);
	struct debimport_opts o = {.suite = s->suite, .name = s->name, .with = with, .ctx = ctx,
				   .cfg = ctx->cfg};
	const struct gm_arch *a = arch_by_gnu(s->arch);
	o.arch = a ? a->deb : NULL;
	struct sysroot ns;
	enum debimport_state state;
	if (debimport_run(&o, &ns, &state, err) < 0)
		return -1;
	sysroot_release(s);
	*s = ns;
	return 0;
}

/* Runs the user's build in our environment plus env; its status or -1. */
static int run_build(char *const *command, char *const *env, struct gm_err **err)
{
	struct proc_spec spec = {.argv = command, .env = env, .inherit_stdio = true,
				 .foreground_tty = true, .log_fd = -1, .stdin_fd = -1};
	struct proc_result res;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = res.exec_failed ? gm_usage(err, "build: cannot run '%s': %s", command[0],
					   strerror(res.exec_errno))
				: res.signal ? 128 + res.signal : res.exit_code;
	proc_result_release(&res);
	return r;
}

/* Calls another command of ours with argv (its getopt starts afresh). */
static int call(struct gm_ctx *ctx, cmd_fn *fn, char **argv, struct gm_err **err)
{
	optind = 0;
	return fn(ctx, (int)strv_len(argv), argv, err);
}

/* check FILES --against every S; then explain --why for each file that
 * does not run on one. */
static int check_outputs(struct gm_ctx *ctx, const struct build_opts *o, char *const *files,
			 struct gm_err **err)
{
	cleanup_strv char **argv = xcalloc(1, sizeof(char *));
	strv_push(&argv, "check");
	for (size_t i = 0; files[i]; i++)
		strv_push(&argv, files[i]);
	for (size_t i = 0; o->fors[i]; i++) {
		strv_push(&argv, "--against");
		strv_push(&argv, o->fors[i]);
	}
	if (o->report) {
		strv_push(&argv, "--out");
		strv_push(&argv, o->report);
	}
	int r = call(ctx, cmd_check, argv, err);
	if (r != GM_EXIT_FINDINGS)
		return r;
	for (size_t i = 0; files[i]; i++) {
		cleanup_strv char **ex = xcalloc(1, sizeof(char *));
		strv_push(&ex, "explain");
		strv_push(&ex, files[i]);
		for (size_t k = 0; o->fors[k]; k++) {
			strv_push(&ex, "--against");
			strv_push(&ex, o->fors[k]);
		}
		strv_push(&ex, "--why");
		if (call(ctx, cmd_explain, ex, err) < 0)
			return -1;
	}
	return GM_EXIT_FINDINGS;
}

static int build(struct gm_ctx *ctx, struct build_opts *o, struct gm_err **err)
{
	struct sysroot *runs = NULL;
	size_t n = 0;
	const struct gm_arch *host = arch_host();
	if (select_sysroots(ctx->cfg, o->fors, host ? host->gnu : NULL, &runs, &n, err) < 0)
		return -1;
	int r = -1;
	struct sysroot *s = &runs[oldest(runs, n)];
	cleanup_strv char **env = NULL;
	if (add_packages(ctx, s, o->with, err) < 0 || build_env(ctx->cfg, s, &env, err) < 0)
		goto out;
	if (o->print_env) {
		build_env_print(stdout, env);
		r = 0;
		goto out;
	}
	gm_note(ctx, "building against %s (glibc %s), the oldest of %zu target%s", s->name,
		s->glibc_version, n, n == 1 ? "" : "s");
	/* The clock the kernel stamps files with: a file the build writes is
	 * stamped at or after this, even within one tick. */
	struct timespec start;
	clock_gettime(CLOCK_REALTIME_COARSE, &start);
	int st = run_build(o->command, env, err);
	if (st != 0) {
		r = st < 0 ? -1 : gm_err_set(err, GM_EXIT_FINDINGS, 0, "build: '%s' failed (%s %d)",
					     o->command[0], st > 128 ? "signal" : "exit",
					     st > 128 ? st - 128 : st);
		goto out;
	}
	if (o->out && !path_is_dir(o->out)) {
		r = gm_usage(err, "build: --out '%s': not a directory after the build", o->out);
		goto out;
	}
	cleanup_strv char **files = build_outputs(o->out ? o->out : ".", o->out ? NULL : &start);
	if (!files[0]) {
		r = gm_err_set(err, GM_EXIT_SKIP, 0, "build: the build wrote no ELF file under %s%s",
			       o->out ? o->out : "the current directory",
			       o->out ? "" : " (up to date? clean first, or name --out DIR)");
		goto out;
	}
	r = check_outputs(ctx, o, files, err);
out:
	sysroot_list_free(runs, n);
	return r;
}

int cmd_build(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct build_opts o = {0};
	bool helped;
	int r = parse(ctx, argc, argv, &o, &helped, err);
	if (r == 0 && !helped)
		r = build(ctx, &o, err);
	build_opts_release(&o);
	return r;
}
