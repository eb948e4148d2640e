/* glibc-matrix sysroot: dispatches to its subcommands. */
#include "cli/cmd.h"

#include <string.h>

static const struct cmd sysroot_commands[] = {
	{"build", cmd_sysroot_build, "build a glibc from source into a sysroot", false},
	{"import", cmd_sysroot_import, "make a sysroot from a Debian suite's packages", false},
	{"list", cmd_sysroot_list, "list the sysroots in the store", false},
	{"show", cmd_sysroot_show, "show a sysroot: version, loader, version nodes", false},
	{"remove", cmd_sysroot_remove, "remove a sysroot from the store", false},
	{NULL, NULL, NULL, false},
};

static const char help[] =
	"usage: glibc-matrix sysroot <command> [<args>]\n"
	"\n"
	"  build VERSION|TARBALL|SOURCE-DIR [--name N] [--jobs N] [--configure-arg A]...\n"
	"  import SUITE [--arch amd64|arm64|riscv64] [--name N] [--refresh]\n"
	"  list [--json]\n"
	"  show NAME [--json]\n"
	"  remove NAME...\n"
	"\n"
	"'glibc-matrix sysroot <command> --help' describes each.\n";

int cmd_sysroot(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	if (argc < 2)
		return gm_usage(err, "sysroot: missing command (build, import, list, show, remove)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return gm_help(help);
	return cmd_dispatch(ctx, "glibc-matrix sysroot", sysroot_commands, argc - 1, argv + 1, err);
}
