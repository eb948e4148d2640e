/* glibc-matrix rootfs import NAME SOURCE */
#define _GNU_SOURCE
#include "acquire/rootfs-build.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix rootfs import NAME SOURCE [--podman-opt OPT]...\n"
	"\n"
	"Imports a container image as root filesystem NAME (replacing one of that\n"
	"name), for 'rootfs exec' and the container methods (--rootfs NAME).\n"
	"SOURCE is one of:\n"
	"  oci-archive:FILE     an OCI image layout in a tar (podman save --format\n"
	"                       oci-archive)\n"
	"  docker-archive:FILE  docker save, podman save --format docker-archive\n"
	"  oci:DIR              an OCI image layout directory\n"
	"  podman:IMAGE         a local podman image (podman save first)\n"
	"The image's layers are applied with their whiteouts.  Its content is\n"
	"untrusted: every blob is checked against its digest, sizes are bounded, and\n"
	"an entry that would land outside the tree (\"..\", a symbolic link on the\n"
	"way) refuses the image.  Its glibc is found in the tree, as for built trees.\n"
	"\n"
	"  --podman-opt OPT  a global option for podman, before 'save' (repeatable:\n"
	"                    --podman-opt=--storage-driver=vfs --podman-opt=--root=DIR)\n"
	"\n"
	"Exit: 0 imported, 2 bad name or source, an image refused (the message names\n"
	"the file and the cause) or unknown to podman, 3 podman or disk failure,\n"
	"130 interrupted (nothing half-imported is left listed).\n";

int cmd_rootfs_import(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	static const struct option opts[] = {
		{"podman-opt", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	cleanup_strv char **podman = xcalloc(1, sizeof(char *));
	strv_push(&podman, "podman");
	int c;
	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			cmd_quiet(ctx);
			break;
		case 'P':
			if (optarg[0] != '-')
				return gm_usage(err, "--podman-opt '%s': not an option", optarg);
			strv_push(&podman, optarg);
			break;
		case 'h':
			return gm_help(help);
		default:
			return cmd_bad_option(err, "rootfs import", argv, "hq", opts);
		}
	}
	if (argc - optind != 2)
		return gm_usage(err, "rootfs import: want NAME SOURCE (see --help)");
	const char *name = argv[optind], *source = argv[optind + 1];
	if (!store_name_valid(name))
		return gm_usage(err, "'%s' is not a valid root filesystem name", name);
	struct rootfs r;
	double t0 = now_seconds();
	if (rootfs_import(ctx, name, source, podman, &r, err) < 0)
		return -1;
	printf("%s: glibc %s imported in %.1f s from %s: %s\n", r.name, r.glibc_version,
	       now_seconds() - t0, r.source, r.dir);
	rootfs_release(&r);
	return 0;
}
