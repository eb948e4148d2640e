/* glibc-matrix sysroot build VERSION|TARBALL|SOURCE-DIR */
#define _GNU_SOURCE
#include "acquire/build.h"
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "cli/select.h"
#include "base/util.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static const char help[] =
	"usage: glibc-matrix sysroot build VERSION|TARBALL|SOURCE-DIR [options]\n"
	"\n"
	"Builds glibc from source into a sysroot in the store.\n"
	"  VERSION     a version known by name (sysroots/versions.tsv: 2.17, 2.27, 2.28,\n"
	"              2.31, 2.34, 2.35, 2.36, 2.39, 2.40, 2.41, 2.42, 2.43, 2.44); its\n"
	"              tarball comes from the Debian archive configured for apt, or, for\n"
	"              a release Debian no longer has (2.17, 2.27, 2.28, 2.34, 2.35,\n"
	"              2.39), from the local glibc source directory\n"
	"              ($GLIBC_MATRIX_GLIBC_SRC, else ../shared/glibc-src beside the\n"
	"              checkout); either is checked against the recorded sha256\n"
	"  TARBALL     a local glibc-X.Y.tar.* or glibc_X.Y.orig.tar.*\n"
	"  SOURCE-DIR  an unpacked glibc tree, e.g. a patched checkout (never modified:\n"
	"              the build works on a private copy)\n"
	"\n"
	"Options:\n"
	"  -n, --name N            sysroot name (default glibc-X.Y, or glibc-X.Y-<key>\n"
	"                          for modified sources or extra configure arguments)\n"
	"  -j, --jobs N            parallel make jobs (default: number of CPUs)\n"
	"  -c, --configure-arg A   extra argument for configure (repeatable)\n"
	"      --keep-build-dir    keep the source copy and objects after success\n"
	"      --download-only     fetch and verify the tarball, print its path, build\n"
	"                          nothing\n"
	"      --arch A            cross-build for A (arm64, riscv64; default: this\n"
	"                          machine) with Debian's cross compiler, verified\n"
	"                          under qemu-user-static; named glibc-X.Y-A; exit 77\n"
	"                          without them\n"
	"\n"
	"Same inputs (source sha256, configure arguments, compiler, arch) reuse the\n"
	"existing sysroot.  The full log is in <store>/build/<name>/build.log.\n"
	"Exit: 0 built or cached, 2 bad input, 3 download or build failure, 77 no cross\n"
	"compiler or emulator for --arch, 130 interrupted.\n";

int cmd_sysroot_build(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_KEEP = 1000, OPT_DOWNLOAD, OPT_ARCH };
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"jobs", required_argument, NULL, 'j'},
		{"configure-arg", required_argument, NULL, 'c'},
		{"keep-build-dir", no_argument, NULL, OPT_KEEP},
		{"download-only", no_argument, NULL, OPT_DOWNLOAD},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	struct build_opts o = {0};
	cleanup_strv char **cargs = xcalloc(1, sizeof(char *));
	bool download_only = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:j:c:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 'n':
			o.name = optarg;
			break;
		case 'j': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1024)
				return gm_usage(err, "--jobs '%s': want a number from 1 to 1024", optarg);
			o.jobs = (int)n;
			break;
		}
		case 'c':
			strv_push(&cargs, optarg);
			break;
		case OPT_KEEP:
			o.keep_build_dir = true;
			break;
		case OPT_DOWNLOAD:
			download_only = true;
			break;
		case OPT_ARCH:
			if (select_arch(optarg, &o.arch, err) < 0)
				return -1;
			break;
		case 'h':
			return gm_help(help);
		default:
			return cmd_bad_option(err, "sysroot build", argv, "n:j:c:hq", opts);
		}
	}
	if (optind + 1 != argc)
		return gm_usage(err, "sysroot build: want exactly one VERSION, TARBALL or SOURCE-DIR "
				     "(see --help)");
	o.input = argv[optind];
	o.configure_args = cargs;
	/* Before any download: a bad name is the user's mistake, found first. */
	if (o.name && !store_name_valid(o.name))
		return gm_usage(err, "'%s' is not a valid sysroot name ([A-Za-z0-9._+-], up to 64, "
				"not starting with '.' or '-')", o.name);
	if (download_only) {
		cleanup_free char *path = NULL;
		if (build_download_only(ctx->cfg, o.input, &path, err) < 0)
			return -1;
		printf("%s\n", path);
		return 0;
	}

	struct sysroot s;
	bool cached;
	double t0 = now_seconds();
	if (build_sysroot(ctx, &o, &s, &cached, err) < 0)
		return -1;
	if (cached)
		printf("%s: glibc %s is up to date (cached, %s)\n", s.name, s.glibc_version, s.dir);
	else
		printf("%s: glibc %s built in %.0f s: %s\n", s.name, s.glibc_version,
		       now_seconds() - t0, s.dir);
	sysroot_release(&s);
	return 0;
}
