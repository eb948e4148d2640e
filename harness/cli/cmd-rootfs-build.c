/* glibc-matrix rootfs build NAME...|--all */
#define _GNU_SOURCE
#include "acquire/rootfs-build.h"
#include "acquire/rootfs-glibc.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "cli/cmd.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix rootfs build NAME...|--all [--with PKG[,PKG...]] [--refresh]\n"
	"\n"
	"Builds root filesystems for container runs into the store, from the recipes\n"
	"of containers/rootfs.tsv: Debian suites made by mmdebstrap from the archive\n"
	"apt uses (GLIBC_MATRIX_MIRROR overrides it), as the official images are\n"
	"(variant minbase: a shell, coreutils and apt; merged-/usr from bookworm on)\n"
	"or libc6 alone (the -libc6 trees, variant extract), 'busybox', the\n"
	"host's busybox-static with its applet links and no glibc, and 'rhel8-style'\n"
	"(variant glibc): glibc 2.28 built from source with --prefix=/usr into\n"
	"RHEL's layout (/usr/lib64 behind /lib64), no Debian in it, a glibc build\n"
	"long.  Each is kept as a tarball and an unpacked tree, keyed by suite,\n"
	"variant, packages, arch and the suite's Release date (the glibc source's\n"
	"sha256): the same inputs reuse the existing one.\n"
	"'rootfs import' brings real images in.\n"
	"\n"
	"  -a, --all       every recipe (a glibc tree whose source is not here is\n"
	"                  skipped, saying why)\n"
	"  -w, --with PKGS more packages in the named trees (comma-separated,\n"
	"                  repeatable; a subject's Depends), installed with their own\n"
	"                  dependencies; later builds of the tree keep them\n"
	"  -r, --refresh   rebuild even when the inputs are unchanged\n"
	"\n"
	"Exit: 0 built or cached, 2 unknown name, 3 download, mmdebstrap or glibc build\n"
	"failure, 130 interrupted (nothing half-built is left listed).\n";

static bool rootfs_exists(const struct gm_config *cfg, const char *name)
{
	struct rootfs r;
	if (rootfs_load(cfg, name, &r, NULL) != 1)
		return false;
	rootfs_release(&r);
	return true;
}

/* A --with value: Debian package names, comma-separated. */
static int add_with(char ***with, const char *arg, struct gm_err **err)
{
	cleanup_strv char **v = strv_split(arg, ",");
	for (size_t i = 0; v[i]; i++) {
		if (!*v[i])
			continue;
		for (const char *p = v[i]; *p; p++)
			if (!(isalnum((unsigned char)*p) || strchr("+-.", *p)) || v[i][0] == '-')
				return gm_usage(err, "--with '%s': '%s' is not a Debian package name", arg,
						v[i]);
		if (!strv_contains(*with, v[i]))
			strv_push(with, v[i]);
	}
	return 0;
}

int cmd_rootfs_build(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"refresh", no_argument, NULL, 'r'},
		{"with", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	bool all = false, refresh = false;
	cleanup_strv char **with = xcalloc(1, sizeof(char *));
	int c;
	while ((c = getopt_long(argc, argv, "arw:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'r':
			refresh = true;
			break;
		case 'w':
			if (add_with(&with, optarg, err) < 0)
				return -1;
			break;
		case 'h':
			return gm_help(help);
		default:
			return cmd_bad_option(err, "rootfs build", argv, "arw:hq", opts);
		}
	}
	if (all == (optind < argc))
		return gm_usage(err, "rootfs build: want NAME... or --all (see --help)");
	if (all && strv_len(with))
		return gm_usage(err, "rootfs build: --with is for named trees, not --all");

	struct rootfs_recipe *recs;
	size_t n;
	if (rootfs_recipes(ctx->cfg, &recs, &n, err) < 0)
		return -1;
	/* Every name is checked before anything is built. */
	for (int i = optind; i < argc; i++) {
		size_t k = 0;
		while (k < n && strcmp(recs[k].name, argv[i]) != 0)
			k++;
		if (k < n && strv_len(with) && !recs[k].suite) {
			rootfs_recipes_free(recs, n);
			return gm_usage(err, "rootfs build: '%s' is not a Debian tree: --with cannot add "
					"packages to it", argv[i]);
		}
		if (k == n) {
			struct strbuf known = STRBUF_INIT;
			for (size_t m = 0; m < n; m++)
				strbuf_addf(&known, "%s%s", m ? ", " : "", recs[m].name);
			rootfs_recipes_free(recs, n);
			int r = gm_usage(err, "no root filesystem recipe '%s' (known: %s)", argv[i],
					 strbuf_str(&known));
			strbuf_release(&known);
			return r;
		}
	}
	int rc = 0;
	for (size_t k = 0; k < n && rc == 0; k++) {
		bool want = all;
		for (int i = optind; i < argc && !want; i++)
			want = strcmp(recs[k].name, argv[i]) == 0;
		if (!want)
			continue;
		/* --all builds what can be built here: a glibc tree whose
		 * release only a local source directory has, and which the
		 * store does not hold yet, is skipped, saying why (named, it is
		 * the error). */
		cleanup_free char *why = NULL;
		if (all && recs[k].glibc && !rootfs_exists(ctx->cfg, recs[k].name) &&
		    !rootfs_glibc_available(ctx->cfg, recs[k].glibc, &why)) {
			printf("%s: skipped: %s\n", recs[k].name, why);
			continue;
		}
		struct rootfs r;
		bool cached;
		double t0 = now_seconds();
		if (rootfs_build(ctx, &recs[k], with, refresh, &r, &cached, err) < 0) {
			rc = -1;
			break;
		}
		if (cached)
			printf("%s: glibc %s is up to date (cached, %s)\n", r.name, r.glibc_version,
			       r.dir);
		else
			printf("%s: glibc %s built in %.1f s: %s\n", r.name, r.glibc_version,
			       now_seconds() - t0, r.dir);
		fflush(stdout);
		rootfs_release(&r);
	}
	rootfs_recipes_free(recs, n);
	return rc;
}
