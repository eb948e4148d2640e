/* glibc-matrix sysroot list | show | remove */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "cli/select.h"
#include "elf/elfinfo.h"
#include "store/store.h"
#include "store/sysroot.h"
#include "store/resolve.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

/* Parses "[--json] [--help]" for the three commands. */
static int parse_simple(struct gm_ctx *ctx, int argc, char **argv, const char *help, bool *json,
			bool *helped, struct gm_err **err)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	/* --json is the first: without json (remove) the table starts after it,
	 * so --json is an unknown option there. */
	const struct option *table = json ? opts : opts + 1;
	int c;
	*helped = false;
	while ((c = getopt_long(argc, argv, "hq", table, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		if (c == 'J' && json)
			*json = true;
		else if (c == 'h') {
			*helped = true;
			return gm_help(help);
		} else {
			cleanup_free char *name = xasprintf("sysroot %s", argv[0]);
			return cmd_bad_option(err, name, argv, "hq", table);
		}
	}
	return 0;
}

static const char list_help[] =
	"usage: glibc-matrix sysroot list [--json]\n"
	"\n"
	"Lists the complete sysroots in the store: name, glibc version, arch, origin,\n"
	"the build of libc.so.6 (start of its GNU build ID: two builds of one version\n"
	"differ here) and when it was made.  A directory whose sysroot.json is corrupt\n"
	"or invalid (a name that differs from the directory, a loader or library\n"
	"directory outside it) is left out with a warning on stderr.\n";

int cmd_sysroot_list(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	bool json = false, helped;
	struct sysroot *v;
	size_t n;

	if (parse_simple(ctx, argc, argv, list_help, &json, &helped, err) < 0 || helped)
		return helped ? 0 : -1;
	if (optind != argc)
		return gm_usage(err, "sysroot list: unexpected argument '%s'", argv[optind]);
	if (select_all_sysroots(ctx->cfg, &v, &n, err) < 0)
		return -1;
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *j = sysroot_to_json(&v[i]);
			cleanup_free char *id = sysroot_libc_build_id(&v[i]);
			json_object *o = json_tokener_parse(j);
			json_object_object_add(o, "libc_build_id", id ? json_object_new_string(id) : NULL);
			printf("%s%s", i ? "," : "",
			       json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		}
		printf("]\n");
	} else {
		if (!n)
			gm_note(ctx, "no sysroots in the store yet: 'glibc-matrix sysroot import "
				     "bookworm' takes seconds, 'sysroot build 2.31' minutes");
		if (n)
			printf("%-28s %-8s %-8s %-18s %-12s %s\n", "NAME", "GLIBC", "ARCH", "ORIGIN",
			       "LIBC-BUILD", "CREATED");
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *id = sysroot_libc_build_id(&v[i]);
			cleanup_free char *origin = sysroot_origin_text(&v[i]);
			printf("%-28s %-8s %-8s %-18s %-12s %s\n", v[i].name, v[i].glibc_version,
			       v[i].arch, origin, id ? id : "-", v[i].created);
		}
	}
	sysroot_list_free(v, n);
	return 0;
}

static const char show_help[] =
	"usage: glibc-matrix sysroot show NAME [--json]\n"
	"\n"
	"Shows a sysroot: glibc version, loader, library directories, and the version\n"
	"nodes (GLIBC_x.y) each of its shared libraries defines.\n";

/* Every shared library with version definitions in the sysroot's libdirs. */
static void show_libraries(const struct sysroot *s, json_object *arr)
{
	for (size_t i = 0; s->libdirs[i]; i++) {
		struct dirent **names = NULL;
		int n = scandir(s->libdirs[i], &names, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			const char *nm = names[k]->d_name;
			if (strstr(nm, ".so") && nm[0] != '.') {
				cleanup_free char *path = path_join(s->libdirs[i], nm);
				struct elf_info info;
				if (path_is_file(path) && elf_info_read(path, &info, NULL) == 1) {
					if (strv_len(info.verdefs) > 0) {
						if (arr) {
							json_object *o = json_object_new_object();
							json_object *vs = json_object_new_array();
							json_object_object_add(o, "path", json_object_new_string(path));
							for (size_t j = 0; info.verdefs[j]; j++)
								json_object_array_add(vs, json_object_new_string(info.verdefs[j]));
							json_object_object_add(o, "defines", vs);
							json_object_array_add(arr, o);
						} else {
							printf("  %s:", nm);
							for (size_t j = 0; info.verdefs[j]; j++)
								printf(" %s", info.verdefs[j]);
							printf("\n");
						}
					}
					elf_info_release(&info);
				}
			}
			free(names[k]);
		}
		free(names);
	}
}

int cmd_sysroot_show(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	bool json = false, helped;
	struct sysroot s;

	if (parse_simple(ctx, argc, argv, show_help, &json, &helped, err) < 0 || helped)
		return helped ? 0 : -1;
	if (optind + 1 != argc)
		return gm_usage(err, "sysroot show: want one sysroot NAME (see 'sysroot list')");
	if (sysroot_resolve(ctx->cfg, ctx, argv[optind], NULL, &s, err) < 0)
		return -1;
	if (json) {
		cleanup_free char *text = sysroot_to_json(&s);
		json_object *o = json_tokener_parse(text);
		json_object *arr = json_object_new_array();
		show_libraries(&s, arr);
		json_object_object_add(o, "libraries", arr);
		cleanup_free char *id = sysroot_libc_build_id(&s);
		json_object_object_add(o, "libc_build_id", id ? json_object_new_string(id) : NULL);
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("name:      %s\n", s.name);
		printf("glibc:     %s%s%s%s\n", s.glibc_version, *s.package_version ? " (Debian " : "",
		       s.package_version, *s.package_version ? ")" : "");
		printf("arch:      %s\n", s.arch);
		cleanup_free char *origin = sysroot_origin_text(&s);
		printf("origin:    %s\n", origin);
		if (s.signature && *s.signature)
			printf("signature: %s\n", strcmp(s.signature, "unchecked") == 0
					 ? "unchecked (imported with --insecure)" : s.signature);
		cleanup_free char *id = sysroot_libc_build_id(&s);
		printf("build:     %s (GNU build ID of libc.so.6)\n", id ? id : "unknown");
		printf("directory: %s\n", s.dir);
		printf("loader:    %s\n", s.loader);
		for (size_t i = 0; s.libdirs[i]; i++)
			printf("libdir:    %s\n", s.libdirs[i]);
		for (size_t i = 0; s.includedirs[i]; i++)
			printf("include:   %s\n", s.includedirs[i]);
		if (strv_len(s.configure_args)) {
			printf("configure:");
			for (size_t i = 0; s.configure_args[i]; i++)
				printf(" %s", s.configure_args[i]);
			printf("\n");
		}
		if (*s.compiler)
			printf("compiler:  %s\n", s.compiler);
		printf("sha256:    %s\n", s.source_sha256);
		for (size_t i = 0; s.packages && s.packages[i]; i++)
			printf("package:   %s\n", s.packages[i]);
		if (s.with && s.with[0]) {
			printf("with:     ");
			for (size_t i = 0; s.with[i]; i++)
				printf(" %s", s.with[i]);
			printf("\n");
		}
		printf("created:   %s\n", s.created);
		if (*s.build_log)
			printf("build log: %s\n", s.build_log);
		printf("version nodes defined:\n");
		show_libraries(&s, NULL);
	}
	sysroot_release(&s);
	return 0;
}

static const char remove_help[] =
	"usage: glibc-matrix sysroot remove NAME...\n"
	"\n"
	"Removes sysroots from the store (atomically: a sysroot is listed or gone),\n"
	"also one whose sysroot.json is corrupt or invalid.\n";

int cmd_sysroot_remove(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	bool helped;
	if (parse_simple(ctx, argc, argv, remove_help, NULL, &helped, err) < 0 || helped)
		return helped ? 0 : -1;
	if (optind >= argc)
		return gm_usage(err, "sysroot remove: want at least one NAME");
	/* By name and directory, not through the manifest: a sysroot whose
	 * manifest is corrupt or invalid (sysroot list warns about it) must
	 * still be removable, and the manifest's own "name" is never used for
	 * the lock or the path. */
	for (int i = optind; i < argc; i++) {
		const char *name = argv[i];
		if (!store_name_valid(name))
			return gm_usage(err, "'%s' is not a valid sysroot name", name);
		cleanup_free char *dir = sysroot_path(ctx->cfg, name);
		cleanup_free char *manifest = path_join(dir, SYSROOT_MANIFEST);
		int lock = -1;
		if (!path_exists(manifest))
			return gm_usage(err, "no sysroot named '%s' in '%s' (see 'glibc-matrix sysroot list')",
					name, ctx->cfg->store);
		int r = store_lock(ctx->cfg, ctx, name, &lock, err) < 0 ? -1
			: store_discard(ctx->cfg, dir, err);
		/* The lock file goes with the sysroot (one removed by another
		 * process meanwhile too). */
		store_unlock(ctx->cfg, name, lock, !path_exists(dir));
		if (r < 0)
			return -1;
		gm_note(ctx, "removed %s (%s)", name, dir);
	}
	return 0;
}
