/* Subcommand entry points.  Each parses its own options (getopt_long,
 * optind reset by the caller), returns 0 or -1 with *err set, and never
 * exits.  A command that ran but has findings returns GM_EXIT_FINDINGS
 * (1) as a positive value. */
#ifndef GM_CMD_H
#define GM_CMD_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ui.h"

typedef int cmd_fn(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err);

struct cmd {
	const char *name;
	cmd_fn *fn;
	const char *summary;
	bool store;   /* uses the store: main() checks its path first */
};

cmd_fn cmd_sysroot;
cmd_fn cmd_inspect;
cmd_fn cmd_explain;
cmd_fn cmd_flags;
cmd_fn cmd_build;
cmd_fn cmd_probes;
cmd_fn cmd_run;
cmd_fn cmd_check;
cmd_fn cmd_exec;
cmd_fn cmd_patch;
cmd_fn cmd_report;
cmd_fn cmd_sysroot_build;
cmd_fn cmd_sysroot_import;
cmd_fn cmd_sysroot_list;
cmd_fn cmd_sysroot_show;
cmd_fn cmd_sysroot_remove;
cmd_fn cmd_rootfs;
cmd_fn cmd_rootfs_build;
cmd_fn cmd_rootfs_list;
cmd_fn cmd_rootfs_remove;
cmd_fn cmd_rootfs_exec;
cmd_fn cmd_rootfs_import;
/* glibc-matrix __complete KIND (hidden): names for shell completion. */
cmd_fn cmd_complete;

/* Shell completion asks what may follow a command by appending this word
 * (completion/glibc-matrix.bash): cmd_dispatch answers with its table's
 * names, cmd_bad_option with the command's own option table, both on
 * stdout, so the answer is the parser itself.  Both then return
 * cmd_completed(): -1 with an error of code GM_EXIT_OK, which every caller
 * passes up as it does a bad option (never running the command) and main
 * ends on silently with status 0. */
#define CMD_COMPLETE_WORDS "--gm-complete-words"
int cmd_completed(struct gm_err **err);

/* Runs the entry of table whose name is argv[0]; prints usage for --help. */
int cmd_dispatch(struct gm_ctx *ctx, const char *prog, const struct cmd *table, int argc,
		 char **argv, struct gm_err **err);

struct option;

/* The error for getopt_long's '?' (cmd_dispatch sets opterr = 0, so this is
 * the only message): names the option and says whether it is unknown or
 * lacks its argument.  Call it right after getopt_long returned, and return
 * what it returns: -1 with *err set (cmd_completed's for
 * CMD_COMPLETE_WORDS, after printing the options). */
int cmd_bad_option(struct gm_err **err, const char *cmd, char *const *argv,
		   const char *shortopts, const struct option *opts);

/* The options of a getopt_long table and option string, one a line,
 * "--name=" or "-c=" when it takes a value (cmd_bad_option). */
void cmd_complete_options(const char *shortopts, const struct option *opts);

/* -q/--quiet after the command, as before it: every command's table
 * carries CMD_OPT_QUIET and its switch calls cmd_quiet for 'q'. */
#define CMD_OPT_QUIET {"quiet", no_argument, NULL, 'q'}
void cmd_quiet(struct gm_ctx *ctx);

/* Prints a usage text to stdout (--help) and returns 0. */
int gm_help(const char *text);
/* The same, with the methods that have every capability in caps listed
 * (one "  name  summary" line each) between head and tail: help texts
 * follow the method table (methods/table.c), never a copy of it. */
int gm_help_methods(const char *head, unsigned caps, const char *tail);

#endif
