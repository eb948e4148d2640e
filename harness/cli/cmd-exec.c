/* glibc-matrix exec --sysroot S [--method M] -- PROGRAM ARGS...:
 * one program against one glibc, its exit status passed through; for
 * developers reproducing a breakage without containers. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "methods/method.h"
#include "base/arch.h"
#include "elf/elfinfo.h"
#include "verdict/classify.h"
#include "exec/contain.h"
#include "exec/proc.h"
#include "store/resolve.h"
#include "base/fs.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: glibc-matrix exec --sysroot S [--method M] [--keep] -- PROGRAM [ARGS...]\n"
	"\n"
	"Runs PROGRAM against the glibc of sysroot S and exits with its status (128+N\n"
	"when killed by signal N), with stdin, stdout and stderr left to it.\n"
	"Methods (default loader):\n";

static const char help_tail[] =
	"PROGRAM is searched in PATH when it has no '/'.  It runs bounded as a matrix\n"
	"cell is (a cgroup of GLIBC_MATRIX_CELL_PIDS processes and\n"
	"GLIBC_MATRIX_CELL_MEMORY MiB where the machine allows, else RLIMIT_AS), and\n"
	"what it leaves running is killed when it ends.  Its stderr passes through\n"
	"glibc-matrix (to read what a loader says), so it is not a terminal for\n"
	"PROGRAM.\n"
	"\n"
	"A static executable runs directly (it carries its own libc), with a note.\n"
	"\n"
	"Caveats of the loader method: /proc/self/exe is the sysroot's ld.so, so a\n"
	"program that re-executes itself (node's process.execPath, busybox applets)\n"
	"starts ld.so without arguments; and its child processes run on the host's\n"
	"glibc, since nothing carries the loader to them.  GCONV_PATH (the sysroot's\n"
	"iconv modules) is in the environment and so reaches those children too.  Use\n"
	"--method interp for such programs: a patched copy whose PT_INTERP is the\n"
	"sysroot's loader re-executes itself correctly.\n"
	"\n"
	"Exit: PROGRAM's status (128+N when killed by signal N); 127 when the loader\n"
	"refused it (missing version node, library or symbol), with a note naming the\n"
	"outcome; 2 usage (PROGRAM missing, not ELF, a shared object; the sysroot's\n"
	"sysroot.json not JSON of a manifest's shape); 3 when PROGRAM could not be\n"
	"started at all, or the manifest is refused (a path outside the sysroot); 77\n"
	"PROGRAM or the sysroot is of another architecture (no emulator yet).\n";

/* Whether the program never started because the loader refused it, as its
 * first line of stderr says (the loader speaks before the program can):
 * glibc's loader exits 1 for a missing version node and 127 otherwise, and
 * a shell reports both as 127.  Says so in a note. */
static bool load_failed(const struct gm_ctx *ctx, const struct proc_result *res,
			const char *method)
{
	if (res->signal || (res->exit_code != 1 && res->exit_code != 127))
		return false;
	struct proc_result first = *res;
	first.err = xstrndup(res->err, strcspn(res->err, "\n"));
	first.out = (char *)"";
	struct classified cl;
	classify(&first, NULL, &cl);
	bool load = cl.outcome == GM_SYMBOL_VERSION || cl.outcome == GM_MISSING_LIBRARY ||
		    cl.outcome == GM_MIXED_GLIBC || cl.outcome == GM_MISSING_SYMBOL;
	if (load)
		gm_note(ctx, "did not load by method %s: %s (%s); exit 127", method,
			gm_outcome_name(cl.outcome), cl.detail);
	classified_release(&cl);
	free(first.err);
	return load;
}

/* What PROGRAM is: an ELF program (not a shared object), of a known
 * machine, and for another machine's program the qemu-user that runs it
 * (the method's command prefixed with it; NULL for the host's own). */
static int program_target(const char *abs, enum elf_file_kind *ret_kind,
			  const struct gm_arch **ret_arch, char **ret_emulator, struct gm_err **err)
{
	struct elf_info info;
	int er = elf_info_read(abs, &info, err);
	if (er < 0)
		return -1;
	if (er == 0)
		return gm_usage(err, "exec: '%s' is not an ELF program (a script? run its "
				     "interpreter under exec instead)", abs);
	enum elf_file_kind kind = elf_file_kind(&info);
	const struct gm_arch *arch = arch_by_machine(info.machine, info.elfclass);
	elf_info_release(&info);
	if (kind == ELF_FILE_SHARED_OBJECT || kind == ELF_FILE_OTHER)
		return gm_usage(err, "exec: '%s' is a %s, not a program; 'glibc-matrix explain' "
				     "predicts whether it loads", abs, elf_file_kind_name(kind));
	if (!arch)
		return gm_err_set(err, GM_EXIT_SKIP, 0, "exec: '%s' is a program of a machine "
				  "glibc-matrix does not know", abs);
	/* Another machine's program runs under qemu-user, the method's command
	 * prefixed with it. */
	char *emulator = NULL;
	if (arch != arch_host() && !(emulator = arch_emulator(arch)))
		return gm_err_set(err, GM_EXIT_SKIP, 0,
				  "exec: '%s' is a %s program; this %s machine runs it only under "
				  "%s, which is not installed (Debian package qemu-user-static)", abs,
				  arch->gnu, arch_host() ? arch_host()->gnu : "?", arch->qemu);

	*ret_kind = kind;
	*ret_arch = arch;
	*ret_emulator = emulator;
	return 0;
}

/* Runs the prepared command as the user asked, bounded as a matrix cell is:
 * what it leaves behind (a daemon, a fork bomb's children) is killed when
 * it ends.  Returns the program's status (128 + signal), 127 when the
 * loader refused it, -1 + err. */
static int run_prepared(const struct gm_ctx *ctx, const struct method *rt, const struct method_cmd *cmd,
			struct gm_err **err)
{
	/* The user's environment stays, but for what the method itself sets. */
	cleanup_strv char **env = NULL;
	for (size_t i = 0; cmd->env[i]; i++)
		if (strchr(cmd->env[i], '=') && !str_starts(cmd->env[i], "LC_ALL="))
			strv_push(&env, cmd->env[i]);
	contain_setup(ctx->cfg);
	struct contain_cell *group = contain_cell_new();
	struct proc_spec spec = {.argv = cmd->argv, .env = env, .inherit_stdio = true,
				 .foreground_tty = true, .log_fd = -1, .stdin_fd = -1,
				 .relay_stderr = true, .capture_max = 64 * 1024,
				 .cell = group, .sweep_orphans = true,
				 .rlimit_as = group ? 0 : contain_memory_limit()};
	struct proc_result res;
	int r = -1;
	int pr = proc_run(&spec, &res, err);
	contain_cell_free(group);
	contain_teardown();
	if (pr == 0) {
		if (res.exec_failed)
			r = gm_infra(err, res.exec_errno, "cannot run '%s'", cmd->argv[0]);
		else if (load_failed(ctx, &res, rt->name))
			r = 127;
		else
			r = res.signal ? 128 + res.signal : res.exit_code;
		proc_result_release(&res);
	}
	return r;
}

int cmd_exec(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_KEEP = 1000 };
	static const struct option opts[] = {
		{"sysroot", required_argument, NULL, 's'},
		{"method", required_argument, NULL, 'r'},
		/* Its name before "method" was the one word for them: kept for
		 * scripts, not shown. */
		{"route", required_argument, NULL, 'r'},
		{"keep", no_argument, NULL, OPT_KEEP},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *method = method_first(METHOD_EXEC)->name;
	bool keep = false;
	int c;

	/* '+': everything after PROGRAM belongs to PROGRAM. */
	while ((c = getopt_long(argc, argv, "+s:r:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 's': name = optarg; break;
		case 'r': method = optarg; break;
		case OPT_KEEP: keep = true; break;
		case 'h': return gm_help_methods(help, METHOD_EXEC, help_tail);
		default: return cmd_bad_option(err, "exec", argv, "+s:r:hq", opts);
		}
	}
	if (!name || optind >= argc)
		return gm_usage(err, "exec: want --sysroot S and a PROGRAM (see --help)");
	const struct method *rt = method_find(method);
	if (!rt || !(rt->caps & METHOD_EXEC)) {
		cleanup_free char *known = method_names(METHOD_EXEC);
		return gm_usage(err, "exec: --method must be one of %s, not '%s'", known, method);
	}
	cleanup_free char *program = fs_find_program(argv[optind]);
	if (!program || !path_is_file(program))
		return gm_usage(err, "exec: no program '%s'", argv[optind]);
	cleanup_free char *abs = path_real(program, err);
	if (!abs)
		return -1;

	enum elf_file_kind kind = ELF_FILE_OTHER;
	const struct gm_arch *arch = NULL;
	cleanup_free char *emulator = NULL;
	if (program_target(abs, &kind, &arch, &emulator, err) < 0)
		return -1;

	struct sysroot s;
	if (sysroot_resolve(ctx->cfg, ctx, name, arch->gnu, &s, err) < 0)
		return -1;
	if (strcmp(s.arch, arch->gnu) != 0) {
		gm_err_set(err, GM_EXIT_USAGE, 0, "exec: sysroot %s is %s, '%s' is %s: a program "
			   "runs only against a glibc of its own architecture", s.name, s.arch, abs,
			   arch->gnu);
		sysroot_release(&s);
		return -1;
	}
	/* A static executable carries its own libc: no method can swap it, and
	 * a loader handed one crashes.  It runs as it is. */
	if (kind == ELF_FILE_STATIC_EXEC) {
		gm_note(ctx, "'%s' is a static executable: it carries its own libc, so %s's glibc "
			     "plays no part; running it directly", abs, s.name);
		rt = method_first(METHOD_HOST_ONLY);
	}
	char tmpl[] = "/tmp/glibc-matrix-exec.XXXXXX";
	char *work = NULL;
	int r = -1;
	if ((rt->caps & METHOD_PATCHED_COPY) && !(work = mkdtemp(tmpl))) {
		r = gm_infra(err, errno, "cannot create a directory in /tmp");
		goto out;
	}
	cleanup_strv char **args = NULL;
	for (int i = optind + 1; i < argc; i++)
		strv_push(&args, argv[i]);
	struct method_ctx mc = {.cfg = ctx->cfg, .binary = abs, .run = &s, .workdir = work ? work : "/tmp",
				.args = args, .lazy = true, .own_search = true, .emulator = emulator};
	struct method_cmd cmd = {0};
	int prepared = rt->prepare(&mc, &cmd, err);
	if (prepared == METHOD_REFUSED)
		gm_usage(err, "%s", cmd.refusal);
	if (prepared != 0) {
		method_cmd_release(&cmd);
		goto out;
	}
	method_emulate(&cmd, emulator);
	r = run_prepared(ctx, rt, &cmd, err);
	method_cmd_release(&cmd);
out:
	if (work && !keep)
		rm_rf(work, NULL);
	else if (work)
		fprintf(stderr, "glibc-matrix: kept %s\n", work);
	sysroot_release(&s);
	return r;
}
