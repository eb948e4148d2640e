/* glibc-matrix sysroot import SUITE: a sysroot from a Debian suite's
 * binary packages (debimport.c does the work). */
#define _GNU_SOURCE
#include "cli/cmd.h"
#include "acquire/debimport.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix sysroot import SUITE [--arch amd64|arm64|riscv64] [--name N]\n"
	"                    [--with PKG[,PKG...]] [--refresh] [--insecure]\n"
	"\n"
	"Makes a sysroot from a Debian suite's libc6, libc6-dev, linux-libc-dev and\n"
	"libgcc-s1 packages, its C++ runtime (libstdc++6 and the matching\n"
	"libstdc++-N-dev) and the packages named with --with, each verified against\n"
	"the suite's Release file and package index.  The Release file's OpenPGP signature (InRelease, or Release.gpg) is\n"
	"checked by gpgv against the Debian archive keyring, or $GLIBC_MATRIX_KEYRING.\n"
	"The archive is the one apt uses on this machine, or $GLIBC_MATRIX_MIRROR.\n"
	"\n"
	"  SUITE            a Debian suite or codename: bullseye, bookworm, trixie, sid, ...\n"
	"  --arch A         Debian architecture (default: this machine's)\n"
	"  --name N         sysroot name (default: debian-SUITE-ARCH)\n"
	"  --with PKGS      more binary packages, comma-separated, repeatable (e.g.\n"
	"                   libtinfo6,zlib1g), with the run-time libraries they depend\n"
	"                   on (Multi-Arch: same, Section libs; tools such as debconf\n"
	"                   and -dev packages only when named); an existing sysroot\n"
	"                   without them is imported again with them added, and keeps\n"
	"                   them in later imports\n"
	"  --refresh        look at the archive again even if the sysroot exists; it is\n"
	"                   replaced only if the suite's packages changed\n"
	"  --insecure       a mirror without signatures: read the plain Release file and\n"
	"                   do not check its signature (hashes are still checked; the\n"
	"                   manifest records \"signature\": \"unchecked\")\n"
	"  -h, --help       this text\n"
	"\n"
	"Without --refresh an existing sysroot that has every --with package is reused\n"
	"with no network access.  The manifest lists every package and version.\n"
	"\n"
	"Exit status: 0 imported or found, 2 usage (unknown suite, architecture or\n"
	"package),\n"
	"3 download or verification failure (bad or missing signature, hash or size\n"
	"mismatch, corrupt package), 130 interrupted.\n";



static int parse_args(struct gm_ctx *ctx, int argc, char **argv, struct debimport_opts *o,
		      char ***with, bool *help_only, struct gm_err **err)
{
	static const struct option opts[] = {
		{"arch", required_argument, NULL, 'a'},
		{"name", required_argument, NULL, 'n'},
		{"refresh", no_argument, NULL, 'r'},
		{"insecure", no_argument, NULL, 'i'},
		{"with", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 'a':
			o->arch = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'r':
			o->refresh = true;
			break;
		case 'i':
			o->insecure = true;
			break;
		case 'w':
			for (char *save = NULL, *w = strtok_r(optarg, ",", &save); w;
			     w = strtok_r(NULL, ",", &save))
				if (!strv_contains(*with, w))
					strv_push(with, w);
			break;
		case 'h':
			*help_only = true;
			return 0;
		default:
			return cmd_bad_option(err, "sysroot import", argv, "hq", opts);
		}
	}
	if (optind >= argc)
		return gm_usage(err, "sysroot import: missing SUITE (e.g. bookworm)");
	o->suite = argv[optind++];
	if (optind < argc)
		return gm_usage(err, "sysroot import: unexpected argument '%s'", argv[optind]);
	return 0;
}

int cmd_sysroot_import(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct debimport_opts o = {.ctx = ctx, .cfg = ctx->cfg};
	cleanup_strv char **with = xcalloc(1, sizeof(char *));
	bool help_only = false;
	struct sysroot s = {0};
	enum debimport_state state;

	if (parse_args(ctx, argc, argv, &o, &with, &help_only, err) < 0)
		return -1;
	o.with = with;
	if (help_only)
		return gm_help(help);
	/* Loud on purpose: not silenced by --quiet. */
	if (o.insecure)
		fprintf(stderr, "glibc-matrix: WARNING: --insecure: the signature of the suite's "
				"Release file is NOT checked; only the hashes it lists are\n");
	if (debimport_run(&o, &s, &state, err) < 0)
		return -1;
	switch (state) {
	case DEBIMPORT_CACHED:
		gm_note(ctx, "%s is already imported (--refresh looks at the archive again)", s.name);
		break;
	case DEBIMPORT_UNCHANGED:
		gm_note(ctx, "%s is up to date with the archive", s.name);
		break;
	case DEBIMPORT_REPLACED:
		gm_note(ctx, "%s replaced: the suite's packages changed", s.name);
		break;
	case DEBIMPORT_EXTENDED:
		gm_note(ctx, "%s imported again with more packages", s.name);
		break;
	case DEBIMPORT_IMPORTED:
		break;
	}
	printf("%s %s: glibc %s (%s), %s, %s\n",
	       state == DEBIMPORT_CACHED || state == DEBIMPORT_UNCHANGED ? "have" : "imported",
	       s.name, s.glibc_version, s.package_version, s.arch, s.dir);
	sysroot_release(&s);
	return 0;
}
