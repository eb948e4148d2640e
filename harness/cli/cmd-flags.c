/* glibc-matrix flags --sysroot S: compiler and linker flags with which a
 * project's own build makes binaries that run on that glibc by themselves. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "store/resolve.h"
#include "probes/toolchain.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix flags --sysroot S [--portable] [--c++]\n"
	"                          [--cflags | --ldflags | --cc]\n"
	"\n"
	"Prints the flags that build a program against sysroot S with the host's gcc:\n"
	"S's headers (with -nostdinc, gcc's and libstdc++'s own headers kept), its crt\n"
	"files and libraries, and -Wl,--dynamic-linker=<S's loader> -Wl,-rpath,<S's\n"
	"libdirs>, so the result runs on S's glibc when started directly.  Before\n"
	"glibc 2.34, libpthread, libdl, librt, libutil and libanl are linked as needed\n"
	"(sysroots/merged-libs.specs), so what links against a newer glibc links\n"
	"unchanged against S.\n"
	"\n"
	"  --sysroot S   a sysroot name (glibc-matrix sysroot list)\n"
	"  --portable    a binary to ship: compiled and linked against S as above, but\n"
	"                with the standard PT_INTERP (/lib64/ld-linux-x86-64.so.2, ...)\n"
	"                and no path into the store, so it runs on S's glibc and every\n"
	"                newer one where it is installed (C++: S's libstdc++ too, so\n"
	"                no GLIBCXX newer than S's is needed)\n"
	"  --c++         flags for g++ (libstdc++'s headers first)\n"
	"  --cflags      only the compile flags;  --ldflags  only the link flags\n"
	"  --cc          only the compiler to use\n"
	"\n"
	"Example:  gcc $(glibc-matrix flags --sysroot glibc-2.42) -o app app.c\n"
	"          make CC=\"$(glibc-matrix flags --sysroot glibc-2.42 --cc)\" \\\n"
	"               CFLAGS=\"$(glibc-matrix flags --sysroot glibc-2.42 --cflags)\" \\\n"
	"               LDFLAGS=\"$(glibc-matrix flags --sysroot glibc-2.42 --ldflags)\"\n"
	"\n"
	"For a sysroot of another architecture the compiler is Debian's cross compiler\n"
	"for it (aarch64-linux-gnu-gcc from gcc-aarch64-linux-gnu, ...); the binaries run\n"
	"under qemu-user (glibc-matrix exec does that).\n"
	"\n"
	"Exit: 0, 2 unknown sysroot, 77 a sysroot of another architecture whose cross\n"
	"compiler is not installed.\n";

/* Shell-quotes a word when it needs it. */
static void print_word(const char *w, bool first)
{
	if (!first)
		putchar(' ');
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			   "-_=+/.,:@%") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (const char *p = w; *p; p++)
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	putchar('\'');
}

int cmd_flags(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_CXX = 1000, OPT_CFLAGS, OPT_LDFLAGS, OPT_CC, OPT_PORTABLE };
	static const struct option opts[] = {
		{"sysroot", required_argument, NULL, 's'},
		{"c++", no_argument, NULL, OPT_CXX},
		{"cflags", no_argument, NULL, OPT_CFLAGS},
		{"ldflags", no_argument, NULL, OPT_LDFLAGS},
		{"cc", no_argument, NULL, OPT_CC},
		{"portable", no_argument, NULL, OPT_PORTABLE},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	bool cxx = false, portable = false;
	int only = 0, c;

	while ((c = getopt_long(argc, argv, "s:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 's': name = optarg; break;
		case OPT_CXX: cxx = true; break;
		case OPT_PORTABLE: portable = true; break;
		case OPT_CFLAGS: case OPT_LDFLAGS: case OPT_CC: only = c; break;
		case 'h': return gm_help(help);
		default: return cmd_bad_option(err, "flags", argv, "s:hq", opts);
		}
	}
	if (!name || optind != argc)
		return gm_usage(err, "flags: want --sysroot S and no other argument (see --help)");

	struct sysroot s;
	struct toolchain t;
	if (sysroot_resolve(ctx->cfg, ctx, name, NULL, &s, err) < 0)
		return -1;
	/* Another machine's sysroot gets Debian's cross compiler for it
	 * (toolchain_for); print it with --cc, use it as CC. */
	int r = toolchain_for(ctx->cfg, &s, cxx, portable ? TOOLCHAIN_PORTABLE : TOOLCHAIN_STANDALONE, &t,
			      err);
	sysroot_release(&s);
	if (r < 0)
		return -1;
	bool first = true;
	if (only == OPT_CC) {
		print_word(t.cc, true);
		first = false;
	}
	if (!only || only == OPT_CFLAGS)
		for (size_t i = 0; t.cflags[i]; i++, first = false)
			print_word(t.cflags[i], first);
	if (!only || only == OPT_LDFLAGS)
		for (size_t i = 0; t.ldflags[i]; i++, first = false)
			print_word(t.ldflags[i], first);
	putchar('\n');
	toolchain_release(&t);
	return 0;
}
