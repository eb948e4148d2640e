/* glibc-matrix rootfs exec NAME [options] -- PROGRAM [ARG]... [--- PROGRAM [ARG]...]... */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "container/batch.h"
#include "store/rootfs.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix rootfs exec NAME [options] -- PROGRAM [ARG]... [--- PROGRAM [ARG]...]...\n"
	"\n"
	"Runs programs in one container on root filesystem NAME, through the OCI\n"
	"runtime that works here (runc or crun; GLIBC_MATRIX_OCI_RUNTIME picks one).\n"
	"The tree is mounted read-only as /, DIR read-only at /gm; the container has\n"
	"its own pid, network, ipc, uts and mount namespaces, no capabilities, no\n"
	"new privileges.  Programs are separated by '---' and run one after another,\n"
	"each in its own process group with its own timeout; PROGRAM is an absolute\n"
	"path inside the container (/gm/... for your own files).\n"
	"\n"
	"  -d, --dir DIR        host directory mounted read-only at /gm\n"
	"  -t, --timeout S      timeout of each program in seconds (default 10)\n"
	"  -j, --json           one JSON object per program: exit, signal, timed_out,\n"
	"                       exec_errno, stdout, stderr\n"
	"\n"
	"Without --json, one program's stdout and stderr are passed through and its\n"
	"status is the exit status (128+N for signal N, 124 for a timeout, 127 for a\n"
	"failed exec); several programs print one summary line each.\n"
	"Exit: as above; 0 with --json or several programs when all ran; 2 usage or\n"
	"unknown NAME; 3 runtime failure; 77 no OCI runtime works here; 130 interrupted.\n";

static int status_of(const struct batch_prog *p)
{
	if (p->timed_out)
		return 124;
	if (p->signal)
		return 128 + p->signal;
	return p->exit_code;
}

static json_object *prog_json(const struct batch_prog *p)
{
	json_object *o = json_object_new_object();
	json_object *args = json_object_new_array();
	for (size_t k = 0; p->argv[k]; k++)
		json_object_array_add(args, json_object_new_string(p->argv[k]));
	json_object_object_add(o, "argv", args);
	json_object_object_add(o, "ran", json_object_new_boolean(p->ran));
	json_object_object_add(o, "exit", json_object_new_int(p->exit_code));
	json_object_object_add(o, "signal", json_object_new_int(p->signal));
	json_object_object_add(o, "timed_out", json_object_new_boolean(p->timed_out));
	json_object_object_add(o, "exec_errno", json_object_new_int(p->exec_errno));
	cleanup_free char *how = batch_describe(p);
	json_object_object_add(o, "outcome", json_object_new_string(how));
	json_object_object_add(o, "stdout", json_object_new_string_len(p->out ? p->out : "",
									(int)p->out_len));
	json_object_object_add(o, "stderr", json_object_new_string_len(p->err ? p->err : "",
									(int)p->err_len));
	return o;
}

/* Splits argv at "---" into programs. */
static size_t split_programs(int argc, char **argv, double timeout, struct batch_prog **ret)
{
	struct batch_prog *v = NULL;
	size_t n = 0;
	for (int i = 0; i < argc;) {
		int j = i;
		while (j < argc && strcmp(argv[j], "---") != 0)
			j++;
		if (j > i) {
			v = xrealloc(v, (n + 1) * sizeof(*v));
			memset(&v[n], 0, sizeof(*v));
			v[n].argv = xcalloc(1, sizeof(char *));
			for (int k = i; k < j; k++)
				strv_push(&v[n].argv, argv[k]);
			v[n++].timeout_s = timeout;
		}
		i = j + 1;
	}
	*ret = v;
	return n;
}

int cmd_rootfs_exec(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	double timeout = 10;
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "d:t:jhq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 't': {
			char *end;
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 86400))
				return gm_usage(err, "--timeout '%s': want seconds, more than 0", optarg);
			break;
		}
		case 'j':
			json = true;
			break;
		case 'h':
			return gm_help(help);
		default:
			return cmd_bad_option(err, "rootfs exec", argv, "d:t:jhq", opts);
		}
	}
	if (optind >= argc)
		return gm_usage(err, "rootfs exec: want NAME and a program (see --help)");
	/* getopt moved the options before NAME and stopped at "--". */
	const char *name = argv[optind++];
	struct batch_prog *progs;
	size_t n = split_programs(argc - optind, argv + optind, timeout, &progs);
	if (n == 0)
		return gm_usage(err, "rootfs exec: no program to run (see --help)");
	cleanup_free char *probe_dir = NULL;
	if (dir) {
		probe_dir = path_real(dir, err);
		if (!probe_dir || !path_is_dir(probe_dir)) {
			if (probe_dir)
				gm_usage(err, "--dir '%s' is not a directory", dir);
			goto fail;
		}
	}
	struct rootfs r;
	int have = rootfs_load(ctx->cfg, name, &r, err);
	if (have <= 0) {
		if (have == 0)
			gm_usage(err, "no root filesystem '%s' (glibc-matrix rootfs build %s)", name, name);
		goto fail;
	}
	struct batch_spec spec = {.rootfs = r.root, .probe_dir = probe_dir, .progs = progs, .n = n};
	int rc = batch_run(ctx->cfg, &spec, err);
	rootfs_release(&r);
	if (rc < 0)
		goto fail;
	if (json) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, prog_json(&progs[i]));
		printf("%s\n", json_object_to_json_string_ext(a, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(a);
	} else if (n == 1) {
		fwrite(progs[0].out, 1, progs[0].out_len, stdout);
		fflush(stdout);
		fwrite(progs[0].err, 1, progs[0].err_len, stderr);
		if (progs[0].exec_errno || progs[0].timed_out || !progs[0].ran) {
			cleanup_free char *how = batch_describe(&progs[0]);
			fprintf(stderr, "glibc-matrix: %s: %s\n", progs[0].argv[0], how);
		}
		rc = progs[0].ran ? status_of(&progs[0]) : 3;
	} else {
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *how = batch_describe(&progs[i]);
			printf("%zu %s: %s\n", i + 1, progs[i].argv[0], how);
		}
	}
	for (size_t i = 0; i < n; i++) {
		batch_prog_release(&progs[i]);
		strv_free(progs[i].argv);
	}
	free(progs);
	return rc;
fail:
	for (size_t i = 0; i < n; i++)
		strv_free(progs[i].argv);
	free(progs);
	return -1;
}
