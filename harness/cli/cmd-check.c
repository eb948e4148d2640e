/* glibc-matrix check BINARY... --against S...: the matrix for a user's own
 * binaries, the release-gating entry point. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "cli/inputs.h"
#include "elf/addon.h"
#include "elf/elfinfo.h"
#include "matrix/matrix.h"
#include "plan/cells.h"
#include "probes/probes.h"
#include "report/baseline.h"
#include "report/policy.h"
#include "report/rdoc.h"
#include "report/report.h"
#include "methods/method.h"
#include "base/arch.h"
#include "cli/select.h"
#include "cli/target-libs.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: glibc-matrix check BINARY|PKG|PKG:PATH... --against S... [--method M]...\n"
	"         [--args \"A B\"] [--host-program \"PROG ARGS\"] [--library-path DIR]...\n"
	"         [--host-libs]\n"
	"         [--expect-exit N] [-j N] [--timeout SEC] [--out DIR]\n"
	"         [--baseline OLD.json] [--policy FILE] [--allow-empty]\n"
	"         [--rootfs R]... [--hook PATH [--hook-arg A]... [--hook-env K=V]...]\n"
	"\n"
	"Runs each BINARY against each sysroot S by each method, predicts each cell\n"
	"from the ELF data (as 'explain' does) and reports both.  BINARY is a program\n"
	"(PIE or not), a static executable (glibc-independent: the methods that swap\n"
	"the glibc are skipped, with the reason) or a shared object (loaded by a host\n"
	"program).  BINARY's own RUNPATH ($ORIGIN included) is searched right after\n"
	"the sysroot's directories.  Against a sysroot imported from a Debian suite,\n"
	"the libraries it needs beyond those are the suite's: the packages that ship\n"
	"them (the suite's Contents index) are imported into the sysroot, the\n"
	"sysroot's loader finds the sysroot's where the host keeps its libraries, and\n"
	"a library no package of the suite ships is missing there, as on a real\n"
	"system; the report names each library's package and version.  Against\n"
	"other sysroots they are found as the host finds them, after, and the report\n"
	"names them.\n"
	"A file of another architecture is never executed (skipped).\n"
	"\n"
	"PKG is a whole package: a .deb, a tarball (an npm .tgz, any .tar.*) or a\n"
	"directory.  An archive is unpacked into OUT/packages/ (never beside it),\n"
	"its layout kept so that $ORIGIN finds what it bundles; every ELF file in it\n"
	"that runs or loads is a BINARY named PKG:path (PKG:PATH checks that one),\n"
	"its library directories searched before the host's.  The summary names the\n"
	"file that sets the package's glibc floor and by which symbol; results.json\n"
	"lists each package (a .deb's Depends too).  A package is untrusted: entries\n"
	"that escape, more than 200000 entries or 8 GiB, corrupt or truncated\n"
	"archives are refused (exit 2).\n"
	"\n"
	"  --against S     a sysroot name, a Debian suite, a glibc version, a profile\n"
	"                  (rhel8, manylinux_2_28, ubuntu-22.04: sysroots/profiles.tsv)\n"
	"                  or 'host' (repeatable, at least one)\n"
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
	"  --host-libs     against Debian suites too, libraries beyond glibc come from\n"
	"                  this machine, not from the suite's packages\n"
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
	"Methods:\n";

static const char help_tail[] =
	"\n"
	"Exit: 0 every cell ran as expected and matched its prediction, 1 some did not\n"
	"(the release gate fails), 2 usage, a BINARY not ELF or malformed, a PKG\n"
	"refused, 3 infrastructure, 77 no cell ran (every one skipped: a static\n"
	"executable by methods that swap the glibc, another architecture; the gate ran\n"
	"nothing, so it does not pass), 130 interrupted.\n";

static int print_help(void)
{
	cleanup_free char *defaults = method_names(METHOD_CHECK_DEFAULT);
	gm_help_methods(help, 0, "");
	printf("  * default: %s\n%s", defaults, help_tail);
	return 0;
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

/* ldcache injects a probe's own library: nothing of a user's binary. */
static int no_probe_library(const struct method **ms, size_t n, struct gm_err **err)
{
	for (size_t k = 0; k < n; k++)
		if (ms[k]->caps & METHOD_PROBE_LIBRARY)
			return gm_usage(err, "check: method %s injects a probe's own library; use run",
					ms[k]->name);
	return 0;
}

struct check_opts {
	char **against, **methods, **args, **libpath;
	char **host_program;        /* [0] made absolute by resolve_host_program */
	struct container_opts ctr;
	struct matrix_opts mo;
	char *out;
	const char *baseline, *policy;
	const char *timeout;        /* --timeout as given, or NULL */
	bool out_made;              /* out is the run's directory, made (for packages) */
	int expect_exit;
	bool allow_empty;
	bool host_libs;             /* --host-libs */
};

static void check_opts_release(struct check_opts *o)
{
	strv_free(o->against);
	strv_free(o->methods);
	strv_free(o->args);
	strv_free(o->libpath);
	strv_free(o->host_program);
	container_opts_release(&o->ctr);
	free(o->out);
}

/* --library-path DIR: kept as its real path. */
static int add_libpath(struct check_opts *o, const char *arg, struct gm_err **err)
{
	struct gm_err *e = NULL;
	char *d = path_real(arg, &e);
	if (!d || !path_is_dir(d)) {
		free(d);
		gm_err_free(&e);
		return gm_usage(err, "--library-path '%s': not a directory", arg);
	}
	strv_push_take(&o->libpath, d);
	return 0;
}

/* "A B" split into words as a shell does, into *v (replaced). */
static int set_words(char ***v, const char *opt, const char *arg, struct gm_err **err)
{
	const char *why = NULL;
	strv_free(*v);
	if (!(*v = strv_split_words(arg, &why)))
		return gm_usage(err, "%s '%s': %s", opt, arg, why);
	return 0;
}

enum { OPT_ARGS = 1000, OPT_EXPECT, OPT_TIMEOUT, OPT_OUT, OPT_HOST, OPT_LIBPATH,
       OPT_BASELINE, OPT_POLICY, OPT_ALLOW_EMPTY, OPT_HOST_LIBS };

/* One option of check's own (not -q, not a container option): 0 taken,
 * 1 not one of them, -1 + err. */
static int parse_one(int c, const char *arg, struct check_opts *o, struct gm_err **err)
{
	char *end;
	switch (c) {
	case 'a': strv_push(&o->against, arg); return 0;
	case 'm': strv_push(&o->methods, arg); return 0;
	case OPT_ARGS: return set_words(&o->args, "--args", arg, err);
	case OPT_HOST:
		if (set_words(&o->host_program, "--host-program", arg, err) < 0)
			return -1;
		return o->host_program[0] ? 0 : gm_usage(err, "--host-program: want PROGRAM [ARGS]");
	case OPT_LIBPATH: return add_libpath(o, arg, err);
	case OPT_HOST_LIBS: o->host_libs = true; return 0;
	case OPT_EXPECT:
		o->expect_exit = (int)strtol(arg, &end, 10);
		if (*end || o->expect_exit < 0 || o->expect_exit > 255)
			return gm_usage(err, "--expect-exit '%s': want 0 to 255", arg);
		return 0;
	case 'j':
		o->mo.jobs = (int)strtol(arg, &end, 10);
		if (*end || o->mo.jobs < 1 || o->mo.jobs > 256)
			return gm_usage(err, "--jobs '%s': want 1 to 256", arg);
		return 0;
	case OPT_TIMEOUT:
		o->mo.timeout_s = strtod(arg, &end);
		if (*end || end == arg || !(o->mo.timeout_s > 0 && o->mo.timeout_s <= 86400))
			return gm_usage(err, "--timeout '%s': want seconds, more than 0 and at most "
					"86400", arg);
		o->timeout = arg;
		return 0;
	case OPT_OUT: free(o->out); o->out = xstrdup(arg); return 0;
	case OPT_BASELINE: o->baseline = arg; return 0;
	case OPT_POLICY: o->policy = arg; return 0;
	case OPT_ALLOW_EMPTY: o->allow_empty = true; return 0;
	}
	return 1;
}

static int parse(struct gm_ctx *ctx, int argc, char **argv, struct check_opts *o, bool *helped,
		 struct gm_err **err)
{
	static const struct option opts[] = {
		{"against", required_argument, NULL, 'a'},
		{"method", required_argument, NULL, 'm'},
		{"args", required_argument, NULL, OPT_ARGS},
		{"host-program", required_argument, NULL, OPT_HOST},
		{"library-path", required_argument, NULL, OPT_LIBPATH},
		{"host-libs", no_argument, NULL, OPT_HOST_LIBS},
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
	int c;
	*helped = false;
	while ((c = getopt_long(argc, argv, "a:m:j:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		int handled = container_opt(c, optarg, &o->ctr, err);
		if (handled == 0)
			handled = parse_one(c, optarg, o, err);
		else
			handled = handled > 0 ? 0 : -1;
		if (handled < 0)
			return -1;
		if (handled == 0)
			continue;
		if (c == 'h') {
			*helped = true;
			return print_help();
		}
		return cmd_bad_option(err, "check", argv, "a:m:j:hq", opts);
	}
	if (optind >= argc || !strv_len(o->against))
		return gm_usage(err, "check: want BINARY... and at least one --against S (see --help)");
	return 0;
}

/* The files to check, as planning sees them. */
struct files {
	size_t n;
	struct elf_info *infos;
	char **abs;
	char ***host_libdirs;       /* per file: host directories of its other libraries */
	char ***host_libs;          /* per file: those libraries */
	char ***programs;           /* per file: the program an add-on is loaded by, or NULL */
	char **no_program;          /* per file: why no program loads that add-on, or NULL */
	struct plan_subject *subjects;
	const struct gm_arch *arch; /* the one they all share, or NULL */
};

static void files_release(struct files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		elf_info_release(&f->infos[i]);
		free(f->abs[i]);
		strv_free(f->host_libdirs[i]);
		strv_free(f->host_libs[i]);
		strv_free(f->programs[i]);
		free(f->no_program[i]);
	}
	free(f->infos);
	free(f->abs);
	free(f->host_libdirs);
	free(f->host_libs);
	free(f->programs);
	free(f->no_program);
	free(f->subjects);
}

/* A shared object of this machine made for one program (a node add-on, a
 * Python extension: elf/addon.h) is loaded by that program, found in PATH,
 * when the command names no --host-program (load-object lacks the
 * program's own symbols: every cell would be missing-symbol); without the
 * program its cells say which --host-program to give. */
static void addon_program(const struct gm_ctx *ctx, const char *name, size_t i, struct files *f)
{
	struct elf_info info;
	if (f->subjects[i].kind != ELF_FILE_SHARED_OBJECT || f->subjects[i].arch != arch_host() ||
	    elf_info_read_flags(f->abs[i], ELF_READ_SYMBOLS, &info, NULL) != 1)
		return;
	const struct elf_addon *a = elf_addon_of(info.unversioned_undef);
	char *prog = a ? elf_find_program(a->program) : NULL;
	if (prog) {
		strv_push_take(&f->programs[i], prog);
		for (size_t k = 0; a->args[k]; k++)
			strv_push(&f->programs[i], a->args[k]);
		gm_note(ctx, "%s is a %s (%s undefined): loaded by %s, as --host-program \"%s\" "
			     "would (--host-program names another)", name, a->kind, a->marker, prog,
			a->hint);
	} else if (a) {
		f->no_program[i] = xasprintf("a %s (%s undefined): no %s here to load it; give "
					     "--host-program \"%s\"", a->kind, a->marker, a->program,
					     a->hint);
	}
	f->subjects[i].host_program = f->programs[i];
	f->subjects[i].no_program = f->no_program[i];
	elf_info_release(&info);
}

/* Each file read as ELF (not ELF: a usage error; a file of a package is
 * ELF), its real path, the host libraries it needs beyond glibc, the
 * program an add-on is made for unless with_program (--host-program) names
 * one. */
static int read_files(const struct gm_ctx *ctx, const struct check_inputs *in, bool with_program,
		      struct files *f, struct gm_err **err)
{
	size_t n = in->n;
	f->infos = xcalloc(n, sizeof(*f->infos));
	f->abs = xcalloc(n, sizeof(*f->abs));
	f->host_libdirs = xcalloc(n, sizeof(*f->host_libdirs));
	f->host_libs = xcalloc(n, sizeof(*f->host_libs));
	f->programs = xcalloc(n, sizeof(*f->programs));
	f->no_program = xcalloc(n, sizeof(*f->no_program));
	f->subjects = xcalloc(n, sizeof(*f->subjects));
	for (size_t i = 0; i < n; i++) {
		const char *name = in->names[i];
		int r = elf_info_read(in->paths[i], &f->infos[i], err);
		if (r <= 0)
			return r == 0 ? gm_usage(err, "check: '%s' is not an ELF file, nor a package "
						      "(.deb, .tgz, .tar.*, a directory)", name) : -1;
		f->n = i + 1;
		if (!(f->abs[i] = path_real(in->paths[i], err)))
			return -1;
		f->host_libdirs[i] = select_host_lib_dirs(f->abs[i], &f->host_libs[i]);
		plan_subject_file(name, f->abs[i], &f->infos[i], &f->subjects[i]);
		if (!with_program)
			addon_program(ctx, name, i, f);
		/* Suite names and versions mean the files' architecture when
		 * they all have one ("bookworm" for an aarch64 file is
		 * debian-bookworm-arm64). */
		f->arch = i == 0 || f->subjects[i].arch == f->arch ? f->subjects[i].arch : NULL;
	}
	return 0;
}

/* Does a shared object wait for load-object (no program of its own)? */
static bool needs_load_object(const struct files *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->subjects[i].kind == ELF_FILE_SHARED_OBJECT && !f->subjects[i].host_program &&
		    !f->subjects[i].no_program)
			return true;
	return false;
}

/* The host program loads the user's shared objects: an ELF program of
 * this machine, found as a shell finds it; hp[0] becomes its real path. */
static int resolve_host_program(char **hp, struct gm_err **err)
{
	if (!hp)
		return 0;
	cleanup_free char *found = fs_find_program(hp[0]);
	struct gm_err *e = NULL;
	char *abs = found ? path_real(found, &e) : NULL;
	gm_err_free(&e);
	if (!abs)
		return gm_usage(err, "--host-program: no program '%s'", hp[0]);
	free(hp[0]);
	hp[0] = abs;
	struct elf_info info;
	int r = elf_info_read(abs, &info, NULL);
	if (r == 1) {
		elf_info_release(&info);
		return 0;
	}
	return gm_usage(err, "--host-program: '%s' is not an ELF program (a script or a wrapper? "
			     "name the program it runs)", abs);
}

static void print_cell(const struct cell *c, const char *what, const char *why)
{
	printf("  %s against %s by %s%s%s: %s (%s)\n", c->plan.subject, c->plan.run->name, c->plan.method->name,
	       c->plan.rootfs ? " in " : "", c->plan.rootfs ? c->plan.rootfs->name : "", what, why ? why : "");
}

/* Lists (when print) the skipped cells and those that did not run as
 * expected; returns how many did not. */
static size_t list_cells(const struct matrix *m, bool print)
{
	size_t bad = 0;
	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		if (c->plan.skip_reason) {
			if (print)
				print_cell(c, "skipped", c->plan.skip_reason);
		} else if (c->verdict.unexpected) {
			if (!bad++ && print)
				printf("cells that did not run as expected:\n");
			if (print)
				print_cell(c, gm_outcome_name(c->obs.outcome), c->obs.detail);
		}
	}
	return bad;
}

/* With a baseline or a policy the gate is the regressions (what failed
 * before too is listed, not counted) and the policy's violations. */
static size_t gate(const struct matrix *m, json_object *old, const struct policy *pol,
		   bool with_policy)
{
	json_object *now = matrix_document(m, NULL);
	size_t bad = old ? baseline_gate(old, now, stdout) : 0;
	if (with_policy) {
		struct rdoc d;
		rdoc_open(now, &d);
		bad += policy_gate(pol, &d, stdout);
		rdoc_close(&d);
	}
	json_object_put(now);
	return bad;
}

/* Everything check needs besides its options, released together. */
struct check_run {
	struct check_inputs in;
	struct files f;
	struct sysroot *runs, host;
	size_t n_runs, n_ms;
	const struct method **ms;
	struct probe *loaders;
	struct trees t;
	struct target_libs tl;
	json_object *old;
	struct policy pol;
	struct matrix m;
};

static void check_run_release(struct check_run *r)
{
	if (r->old)
		json_object_put(r->old);
	policy_release(&r->pol);
	if (r->loaders)
		probes_free(r->loaders, r->n_runs);
	files_release(&r->f);
	inputs_release(&r->in);
	matrix_release(&r->m);
	sysroot_list_free(r->runs, r->n_runs);
	trees_release(&r->t);
	target_libs_release(&r->tl);
	sysroot_release(&r->host);
	free(r->ms);
}

/* Selections, the loaders and the report directory: the last step is the
 * directory, so a usage error (a bad baseline or policy too) leaves none,
 * and nothing builds or runs before the options are known good. */
static int select_all(struct gm_ctx *ctx, struct check_opts *o, struct check_run *r,
		      struct gm_err **err)
{
	const char *arch = r->f.arch ? r->f.arch->gnu : NULL;
	char *abs_out = NULL;
	if ((o->baseline && rdoc_load(o->baseline, &r->old, err) < 0) ||
	    (o->policy && policy_load(o->policy, &r->pol, err) < 0) ||
	    resolve_host_program(o->host_program, err) < 0 ||
	    select_sysroots(ctx->cfg, o->against, arch, &r->runs, &r->n_runs, err) < 0 ||
	    (!o->host_libs && target_libs_resolve(ctx, r->f.subjects, r->f.n, r->runs, r->n_runs,
						  &r->tl, err) < 0) ||
	    select_methods(o->methods, METHOD_CHECK_DEFAULT, &r->ms, &r->n_ms, err) < 0 ||
	    container_select(ctx->cfg, &o->ctr, strv_len(o->methods), arch, r->ms, &r->n_ms, &r->t,
			     &o->mo.hook, err) < 0 ||
	    no_probe_library(r->ms, r->n_ms, err) < 0 ||
	    (needs_load_object(&r->f) && !o->host_program &&
	     build_loaders(ctx, r->runs, r->n_runs, o->mo.jobs, &r->loaders, err) < 0) ||
	    (!o->out_made && matrix_outdir(o->out, "check-", &abs_out, err) < 0))
		return -1;
	if (!o->out_made) {
		free(o->out);
		o->out = abs_out;
	}
	/* A rule's "against bookworm" means what --against bookworm does. */
	if (o->policy)
		policy_resolve(&r->pol, ctx->cfg, arch);
	return 0;
}

/* "--opt" and the words of v as one shell-quoted value onto *words. */
static void push_words_option(char ***words, const char *opt, char *const *v)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_add_shell_words(&b, v);
	strv_push(words, opt);
	strv_push_take(words, strbuf_detach(&b));
}

/* The options that shape check's cells, as the words that give them. */
static void check_words(const struct check_opts *o, struct plan_words *w)
{
	if (strv_len(o->args))
		push_words_option(&w->program, "--args", o->args);
	if (o->host_program)
		push_words_option(&w->object, "--host-program", o->host_program);
	for (size_t i = 0; o->libpath && o->libpath[i]; i++) {
		strv_push(&w->every, "--library-path");
		strv_push(&w->every, o->libpath[i]);
	}
	if (o->expect_exit) {
		strv_push(&w->every, "--expect-exit");
		strv_push_take(&w->every, xasprintf("%d", o->expect_exit));
	}
	if (o->host_libs)
		strv_push(&w->every, "--host-libs");
	if (o->timeout) {
		strv_push(&w->every, "--timeout");
		strv_push(&w->every, o->timeout);
	}
	container_hook_words(&o->ctr, &w->hook);
}

/* A note for each host library a file needs beyond glibc, when a run
 * sysroot lends them (not one whose suite's own libraries it uses). */
static void note_host_libs(const struct gm_ctx *ctx, const struct check_run *r, char **names)
{
	bool lends = false;
	for (size_t i = 0; i < r->n_runs && !lends; i++)
		lends = !r->tl.own || !r->tl.own[i];
	for (size_t i = 0; lends && i < r->f.n; i++)
		for (size_t l = 0; r->f.host_libs[i][l]; l++)
			gm_note(ctx, "%s needs %s from the host (searched after the sysroot's "
				     "libraries)", names[i], r->f.host_libs[i][l]);
}

static void plan(const struct gm_ctx *ctx, const struct check_opts *o, struct check_run *r)
{
	struct plan_words words = {0};
	check_words(o, &words);
	struct plan_input in = {.subjects = r->f.subjects, .n_subjects = r->f.n, .methods = r->ms,
				.n_methods = r->n_ms, .runs = r->runs, .n_runs = r->n_runs,
				.host = &r->host, .trees = r->t.v, .tree_glibc = r->t.own, .tree_programs = r->t.progs,
				.n_trees = r->t.n, .args = o->args, .expect_exit = o->expect_exit,
				.libdirs = o->libpath,
				.host_libdirs = (char *const *const *)r->f.host_libdirs,
				.own_libdirs = (char *const *const *)r->in.libdirs,
				.target_libs = r->tl.own, .cover = r->tl.cover,
				.host_program = o->host_program, .loaders = r->loaders,
				.n_loaders = r->loaders ? r->n_runs : 0, .words = &words};
	struct plan_machine here;
	plan_machine_here(ctx->cfg, &here);
	plan_cells(&in, &here, &r->m);
	plan_words_release(&words);
}

/* Packages are unpacked below the run's own directory: made first when
 * there are any (select_all makes it last otherwise). */
static int package_outdir(struct check_opts *o, char *const *args, struct gm_err **err)
{
	char *abs = NULL;
	if (!inputs_have_package(args))
		return 0;
	if (matrix_outdir(o->out, "check-", &abs, err) < 0)
		return -1;
	free(o->out);
	o->out = abs;
	o->out_made = true;
	return 0;
}

/* A run that stops before its cells leaves no unpacked package, and no
 * directory when it made it empty. */
static void package_outdir_undo(const struct check_opts *o)
{
	if (!o->out_made)
		return;
	cleanup_free char *pk = path_join(o->out, "packages");
	rm_rf(pk, NULL);
	rmdir(o->out);
}

static int check(struct gm_ctx *ctx, int argc, char **argv, struct check_opts *o,
		 struct gm_err **err)
{
	struct check_run r = {.m = {.command_line = ctx->argv}};
	bool helped;
	int rc = -1;
	if (parse(ctx, argc, argv, o, &helped, err) < 0 || helped)
		return helped ? 0 : -1;
	sysroot_host(&r.host);
	if (package_outdir(o, argv + optind, err) < 0 ||
	    inputs_expand(ctx, argv + optind, o->out, &r.in, err) < 0 ||
	    read_files(ctx, &r.in, o->host_program != NULL, &r.f, err) < 0 ||
	    select_all(ctx, o, &r, err) < 0) {
		package_outdir_undo(o);
		goto done;
	}
	r.m.packages = r.in.pkgs;
	r.m.n_packages = r.in.n_pkgs;
	note_host_libs(ctx, &r, r.in.names);
	plan(ctx, o, &r);
	o->mo.outdir = o->out;
	int xr = matrix_execute(ctx, &r.m, &o->mo, err);
	size_t bad = list_cells(&r.m, false);
	if ((r.old || o->policy) && xr == 0)
		bad = gate(&r.m, r.old, &r.pol, o->policy != NULL);
	rc = report_finish(ctx->cfg, &r.m, o->out, xr, bad, err);
	/* Under the grid, where a reader's eyes end up (issue 25). */
	fflush(stdout);
	list_cells(&r.m, true);
	/* Nothing ran (another architecture without an emulator, a static
	 * executable by methods that swap the glibc): a release gate that
	 * tested nothing must not pass. */
	if (rc == 0)
		rc = report_nothing_ran(&r.m, o->allow_empty, err);
done:
	check_run_release(&r);
	return rc;
}

int cmd_check(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct check_opts o = {.mo = {.timeout_s = 60}};
	int r = check(ctx, argc, argv, &o, err);
	check_opts_release(&o);
	return r;
}
