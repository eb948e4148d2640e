/* glibc-matrix exec --sysroot S [--route R] -- PROGRAM ARGS...:
 * one program against one glibc, its exit status passed through; for
 * developers reproducing a breakage without containers. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "routes/route.h"
#include "exec/contain.h"
#include "exec/proc.h"
#include "store/sysroot.h"
#include "base/fs.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"usage: glibc-matrix exec --sysroot S [--route R] [--keep] -- PROGRAM [ARGS...]\n"
	"\n"
	"Runs PROGRAM against the glibc of sysroot S and exits with its status (128+N\n"
	"when killed by signal N), with stdin, stdout and stderr left to it.\n"
	"Routes (default loader):\n";

static const char help_tail[] =
	"PROGRAM is searched in PATH when it has no '/'.  It runs bounded as a matrix\n"
	"cell is (a cgroup of GLIBC_MATRIX_CELL_PIDS processes and GLIBC_MATRIX_CELL_MEMORY\n"
	"MiB where the machine allows, else RLIMIT_AS), and what it leaves running is\n"
	"killed when it ends.  Exit 2 usage, 3 when PROGRAM could not be started at all.\n";

static char *find_program(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(*d ? d : ".", name);
		if (access(p, X_OK) == 0 && path_is_file(p))
			return p;
		free(p);
	}
	return NULL;
}

int cmd_exec(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_KEEP = 1000 };
	static const struct option opts[] = {
		{"sysroot", required_argument, NULL, 's'},
		{"route", required_argument, NULL, 'r'},
		{"keep", no_argument, NULL, OPT_KEEP},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *route = "loader";
	bool keep = false;
	int c;
	(void)ctx;

	/* '+': everything after PROGRAM belongs to PROGRAM. */
	while ((c = getopt_long(argc, argv, "+s:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': name = optarg; break;
		case 'r': route = optarg; break;
		case OPT_KEEP: keep = true; break;
		case 'h': return gm_help_routes(help, ROUTE_EXEC, help_tail);
		default: return gm_usage(err, "exec: bad option (see --help)");
		}
	}
	if (!name || optind >= argc)
		return gm_usage(err, "exec: want --sysroot S and a PROGRAM (see --help)");
	const struct route *rt = route_find(route);
	if (!rt || !(rt->caps & ROUTE_EXEC)) {
		cleanup_free char *known = route_names(ROUTE_EXEC);
		return gm_usage(err, "exec: --route must be one of %s, not '%s'", known, route);
	}
	cleanup_free char *program = find_program(argv[optind]);
	if (!program || !path_is_file(program))
		return gm_usage(err, "exec: no program '%s'", argv[optind]);
	cleanup_free char *abs = path_real(program, err);
	if (!abs)
		return -1;

	struct sysroot s;
	if (sysroot_find(name, &s, err) < 0)
		return -1;
	char tmpl[] = "/tmp/glibc-matrix-exec.XXXXXX";
	char *work = NULL;
	int r = -1;
	if ((rt->caps & ROUTE_PATCHED_COPY) && !(work = mkdtemp(tmpl))) {
		r = gm_infra(err, errno, "cannot create a directory in /tmp");
		goto out;
	}
	cleanup_strv char **args = NULL;
	for (int i = optind + 1; i < argc; i++)
		strv_push(&args, argv[i]);
	struct route_ctx mc = {.binary = abs, .run = &s, .workdir = work ? work : "/tmp",
				.args = args, .lazy = true};
	struct route_cmd cmd = {0};
	if (rt->prepare(&mc, &cmd, err) < 0)
		goto out;
	/* The user's environment stays, but for what the route itself sets. */
	cleanup_strv char **env = NULL;
	for (size_t i = 0; cmd.env[i]; i++)
		if (strchr(cmd.env[i], '=') && !str_starts(cmd.env[i], "LC_ALL="))
			strv_push(&env, cmd.env[i]);
	/* Bounded as a matrix cell is: what it leaves behind (a daemon, a
	 * fork bomb's children) is killed when it ends. */
	contain_setup();
	struct contain_cell *group = contain_cell_new();
	struct proc_spec spec = {.argv = cmd.argv, .env = env, .inherit_stdio = true,
				 .foreground_tty = true, .log_fd = -1, .stdin_fd = -1,
				 .cell = group, .sweep_orphans = true,
				 .rlimit_as = group ? 0 : contain_memory_limit()};
	struct proc_result res;
	int pr = proc_run(&spec, &res, err);
	contain_cell_free(group);
	contain_teardown();
	if (pr == 0) {
		if (res.exec_failed)
			r = gm_infra(err, res.exec_errno, "cannot run '%s'", cmd.argv[0]);
		else
			r = res.signal ? 128 + res.signal : res.exit_code;
		proc_result_release(&res);
	}
	route_cmd_release(&cmd);
out:
	if (work && !keep)
		rm_rf(work, NULL);
	else if (work)
		fprintf(stderr, "glibc-matrix: kept %s\n", work);
	sysroot_release(&s);
	return r;
}
