/* glibc-matrix: will this binary, built against glibc X, load and run
 * against glibc Y, and by which method?  main() holds the global options and
 * the command table; it alone prints errors and picks the exit code. */
#define _GNU_SOURCE
#include "cli/cmd.h"
#include "base/cleanup.h"
#include "base/config.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "base/version.h"
#include "store/claim.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const struct cmd commands[] = {
	{"sysroot", cmd_sysroot, "build, import, list, show and remove glibc sysroots", true},
	{"rootfs", cmd_rootfs, "build, list and remove root filesystems for containers", true},
	{"inspect", cmd_inspect, "what ELF files need from glibc: nodes, floor, loader", false},
	{"explain", cmd_explain, "will FILE load against a glibc? which symbols fail?", true},
	{"probes", cmd_probes, "list the probe cases, build them against sysroots", true},
	{"run", cmd_run, "run the matrix: probes x build x run sysroots x methods", true},
	{"check", cmd_check, "run your own binaries against sysroots: the release gate", true},
	{"exec", cmd_exec, "run one program against one glibc, exit status passed through", true},
	{"report", cmd_report, "HTML, Markdown, JUnit, TAP or JSON from results.json files", false},
	{"patch", cmd_patch, "rewrite PT_INTERP, DT_RUNPATH or DT_RPATH of a copy of an ELF file", false},
	{"flags", cmd_flags, "compiler and linker flags that build for a sysroot's glibc", true},
	{"build", cmd_build, "run your build against the oldest target's glibc, then check it", true},
	{NULL, NULL, NULL, false},
};

static const char usage[] =
	"usage: glibc-matrix [--quiet] <command> [<args>]\n"
	"       glibc-matrix help [<command>]\n"
	"\n"
	"Will a binary built against glibc X load and run against glibc Y, and by which method?\n"
	"\n"
	"Commands:\n"
	"%s"
	"\n"
	"Global options:\n"
	"  -q, --quiet     no progress line and no notes on stderr\n"
	"  -h, --help      this text; 'glibc-matrix <command> --help' for a command\n"
	"  -V, --version   print the version\n"
	"\n"
	"Environment:\n"
	"  GLIBC_MATRIX_STORE    where sysroots and downloads live\n"
	"                        (default ${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix)\n"
	"  GLIBC_MATRIX_MIRROR   Debian archive URL (default: from apt's configuration)\n"
	"  GLIBC_MATRIX_APT_DIR  where apt's sources are read (default /etc/apt)\n"
	"  GLIBC_MATRIX_KEYRING  keyring for Debian Release signatures\n"
	"                        (default /usr/share/keyrings/debian-archive-keyring.gpg)\n"
	"  GLIBC_MATRIX_RECIPES  directory with versions.tsv, quirks.tsv, profiles.tsv\n"
	"                        (default: sysroots/ beside the program, or installed)\n"
	"  GLIBC_MATRIX_CASES    the probe cases and cases.ini (default: cases/)\n"
	"  GLIBC_MATRIX_GLIBC_SRC  the glibc tarballs Debian's archive no longer has\n"
	"                        (default: ../shared/glibc-src beside the checkout)\n"
	"  GLIBC_MATRIX_CONTAINERS  directory with rootfs.tsv (default: containers/)\n"
	"  GLIBC_MATRIX_LIBEXEC  where gm-batch and glibc-inject are (default: build/,\n"
	"                        or libexec/glibc-matrix/ of an install)\n"
	"  GLIBC_MATRIX_OCI_RUNTIME  the OCI runtime to use\n"
	"                        (default: runc or crun, whichever works)\n"
	"  GLIBC_MATRIX_CELL_PIDS  processes per cell (default 2048)\n"
	"  GLIBC_MATRIX_CELL_MEMORY  MiB per cell (default 1024)\n"
	"  GLIBC_MATRIX_CONTAINMENT  rlimit-only: no cgroups\n"
	"  GLIBC_MATRIX_BINFMT_DIR  binfmt_misc entries (default /proc/sys/fs/binfmt_misc)\n"
	"  GLIBC_MATRIX_BUSYBOX  the glibc-free tree's busybox (default /bin/busybox)\n"
	"Read once, at start; an empty value is unset.\n"
	"\n"
	"Exit codes: 0 as expected, 1 findings, 2 usage or bad input, 3 infrastructure\n"
	"(download, build, spawn), 77 unsupported here or nothing ran (run and check:\n"
	"every cell skipped), 130 interrupted.\n";

static void print_usage(FILE *f)
{
	char *list = xstrdup("");
	for (const struct cmd *c = commands; c->name; c++) {
		char *next = xasprintf("%s  %-12s %s\n", list, c->name, c->summary);
		free(list);
		list = next;
	}
	fprintf(f, usage, list);
	free(list);
}

static void config_cleanup(struct gm_config *c)
{
	config_release(c);
}

/* What a command's result r (and err) means as the process's exit status,
 * once its output is flushed. */
static int finish(int r, struct gm_err *err)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "glibc-matrix: error: cannot write to standard output\n");
		gm_err_free(&err);
		return GM_EXIT_INFRA;
	}
	if (r < 0 && err && err->code == GM_EXIT_OK) {
		/* cmd_completed: the words are printed, nothing ran. */
		gm_err_free(&err);
		return 0;
	}
	if (r < 0) {
		int code = err ? err->code : GM_EXIT_INFRA;
		/* An infrastructure failure caused by the signal (a child killed
		 * by it, an aborted download) is the interruption. */
		if (code == GM_EXIT_INFRA && interrupted())
			code = GM_EXIT_INTERRUPTED;
		fprintf(stderr, "glibc-matrix: error: %s\n", err ? err->msg : "unknown error");
		gm_err_free(&err);
		return code;
	}
	/* A command that finished although SIGINT/SIGTERM arrived (one that
	 * never polls the flag, like list) still reports the interruption:
	 * the caller asked it to stop and must not read 0 as "ran to the end
	 * as asked".  Its output is complete. */
	if (r == 0 && interrupted()) {
		fprintf(stderr, "glibc-matrix: interrupted\n");
		return GM_EXIT_INTERRUPTED;
	}
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	/* The one reading of the environment's settings: everything below
	 * gets them from here (ctx.cfg, or an argument), none reads them. */
	__attribute__((cleanup(config_cleanup))) struct gm_config cfg;
	config_from_env(&cfg, environ, NULL);
	struct gm_ctx ctx = {.tty = isatty(2), .cfg = &cfg};
	struct gm_err *err = NULL;
	int c, r;
	/* Before getopt, which permutes argv: what the user typed. */
	cleanup_strv char **command_line = xcalloc(1, sizeof(char *));
	for (int i = 0; i < argc; i++)
		strv_push(&command_line, argv[i]);
	ctx.argv = command_line;

	opterr = 0;
	/* '+': stop at the first non-option, the command parses the rest. */
	while ((c = getopt_long(argc, argv, "+qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			ctx.quiet = true;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			printf("glibc-matrix %s\n", GM_VERSION);
			return 0;
		default:
			/* Completion's question (cli/cmd.h): the options, then
			 * what may stand in the command's place. */
			cmd_bad_option(&err, NULL, argv, "+qhV", opts);
			if (err->code == GM_EXIT_OK) {
				for (const struct cmd *cm = commands; cm->name; cm++)
					puts(cm->name);
				puts("help");
				gm_err_free(&err);
				return 0;
			}
			fprintf(stderr, "glibc-matrix: error: %s\n", err->msg);
			gm_err_free(&err);
			return GM_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		print_usage(stderr);
		return GM_EXIT_USAGE;
	}
	if (ctx.quiet)
		ctx.tty = false;
	/* "help [COMMAND...]" is "[COMMAND...] --help", as git's is. */
	cleanup_free char **help_argv = NULL;
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
			print_usage(stdout);
			return 0;
		}
		int n = argc - optind - 1;
		help_argv = xcalloc((size_t)n + 2, sizeof(char *));
		memcpy(help_argv, argv + optind + 1, (size_t)n * sizeof(char *));
		help_argv[n] = (char *)"--help";
		argv = help_argv;
		argc = n + 1;
		optind = 0;
	}
	if (strcmp(argv[optind], "__complete") == 0) {
		r = cmd_complete(&ctx, argc - optind, argv + optind, &err);
		if (r < 0) {
			fprintf(stderr, "glibc-matrix: error: %s\n", err->msg);
			r = err->code;
			gm_err_free(&err);
		}
		return r;
	}
	interrupt_install();
	for (const struct cmd *cm = commands; cm->name; cm++)
		if (cm->store && strcmp(cm->name, argv[optind]) == 0 && store_check(&cfg, &err) < 0) {
			fprintf(stderr, "glibc-matrix: error: %s\n", err->msg);
			gm_err_free(&err);
			return GM_EXIT_USAGE;
		}
	r = cmd_dispatch(&ctx, "glibc-matrix", commands, argc - optind, argv + optind, &err);
	/* The command's containers and work are gone: so goes its claim on
	 * the store (store/claim.h; a killed process's is swept by others). */
	store_claim_release();
	return finish(r, err);
}
