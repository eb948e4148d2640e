/* glibc-matrix rootfs: dispatches to its subcommands. */
#include "cli/cmd.h"

#include <string.h>

static const struct cmd rootfs_commands[] = {
	{"build", cmd_rootfs_build, "build root filesystems (containers/rootfs.tsv)", false},
	{"import", cmd_rootfs_import, "import a container image as a root filesystem", false},
	{"list", cmd_rootfs_list, "list the root filesystems in the store", false},
	{"exec", cmd_rootfs_exec, "run programs in a container on a root filesystem", false},
	{"remove", cmd_rootfs_remove, "remove root filesystems from the store", false},
	{NULL, NULL, NULL, false},
};

static const char help[] =
	"usage: glibc-matrix rootfs <command> [<args>]\n"
	"\n"
	"Root filesystems in which container runs happen.\n"
	"  build NAME...|--all [--with PKG[,PKG...]] [--refresh]\n"
	"  import NAME oci-archive:FILE|docker-archive:FILE|oci:DIR|podman:IMAGE\n"
	"  list [--json]\n"
	"  remove NAME...\n"
	"  exec NAME [--dir DIR] [--timeout S] [--json] -- PROGRAM [ARG]... [--- PROGRAM...]\n"
	"\n"
	"'glibc-matrix rootfs <command> --help' describes each.\n";

int cmd_rootfs(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	if (argc < 2)
		return gm_usage(err, "rootfs: missing command (build, import, list, remove, exec)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return gm_help(help);
	return cmd_dispatch(ctx, "glibc-matrix rootfs", rootfs_commands, argc - 1, argv + 1, err);
}
