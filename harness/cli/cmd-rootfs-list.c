/* glibc-matrix rootfs list [--json] / rootfs remove NAME... */
#define _GNU_SOURCE
#include "acquire/rootfs-build.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "store/store.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char list_help[] =
	"usage: glibc-matrix rootfs list [--json]\n"
	"\n"
	"Lists the root filesystems in the store: name, glibc version (read from the\n"
	"version nodes and banner of its libc.so.6, 'none' without glibc), architecture,\n"
	"suite, tarball size and key.  Only complete ones are listed.\n"
	"Exit: 0, 3 unreadable store.\n";

/* The manifest plus where the tree and the tarball are. */
static json_object *to_json(const struct rootfs *r)
{
	json_object *o = rootfs_to_json(r);
	json_object_object_add(o, "root", json_object_new_string(r->root));
	json_object_object_add(o, "tarball", json_object_new_string(r->tarball));
	return o;
}

int cmd_rootfs_list(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;
	while ((c = getopt_long(argc, argv, "jhq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return gm_help(list_help);
		else
			return cmd_bad_option(err, "rootfs list", argv, "jhq", opts);
	}
	if (optind != argc)
		return gm_usage(err, "rootfs list: takes no arguments");
	cleanup_strv char **names = NULL;
	if (rootfs_names(ctx->cfg, &names, err) < 0)
		return -1;
	json_object *arr = json_object_new_array();
	if (!json && !names[0])
		gm_note(ctx, "no root filesystems in the store yet: 'glibc-matrix rootfs build "
			     "--all' makes them");
	/* The widest name sets the column (bullseye-arm64-libc6). */
	int w = 14;
	for (size_t i = 0; names[i]; i++)
		if ((int)strlen(names[i]) > w)
			w = (int)strlen(names[i]);
	if (!json && names[0])
		printf("%-*s %-8s %-8s %-10s %-8s %8s  %s\n", w, "NAME", "GLIBC", "ARCH", "SUITE",
		       "VARIANT", "SIZE", "KEY");
	for (size_t i = 0; names[i]; i++) {
		struct rootfs r;
		/* A directory without a valid manifest is not a root filesystem. */
		if (rootfs_load(ctx->cfg, names[i], &r, NULL) != 1)
			continue;
		if (json)
			json_object_array_add(arr, to_json(&r));
		else
			printf("%-*s %-8s %-8s %-10s %-8s %6.1fMB  %s\n", w, r.name, r.glibc_version,
			       r.arch, r.suite, r.variant, r.size / 1e6, r.key);
		rootfs_release(&r);
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return 0;
}

static const char remove_help[] =
	"usage: glibc-matrix rootfs remove NAME...\n"
	"\n"
	"Removes root filesystems from the store (atomically: a removed one is no\n"
	"longer listed, even if the deletion is interrupted).\n"
	"Exit: 0 removed, 2 no such root filesystem, 3 store failure.\n";

int cmd_rootfs_remove(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return gm_help(remove_help);
	if (argc < 2)
		return gm_usage(err, "rootfs remove: want NAME... (see --help)");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], CMD_COMPLETE_WORDS) == 0)
			return gm_help("--help\n-h\n") ? -1 : cmd_completed(err);
		if (argv[i][0] == '-')
			return gm_usage(err, "rootfs remove: bad option '%s' (see --help)", argv[i]);
		if (!store_name_valid(argv[i]))
			return gm_usage(err, "'%s' is not a valid root filesystem name", argv[i]);
	}
	for (int i = 1; i < argc; i++) {
		bool missing;
		if (rootfs_remove(ctx, argv[i], &missing, err) < 0)
			return -1;
		if (missing)
			return gm_usage(err, "no root filesystem '%s' in the store", argv[i]);
		printf("removed %s\n", argv[i]);
	}
	return 0;
}
