/* Compiler and linker flags that build a program against a sysroot's glibc
 * with the host's gcc: its headers instead of the host's, its crt files, its
 * libc.so, and (standalone) its loader and library directories baked in.
 *
 * Header search: the compiler's own list (gcc's include and include-fixed,
 * libstdc++'s for C++) with the host's system directories (/usr/include,
 * /usr/include/<multiarch>, /usr/local/include) replaced by the sysroot's
 * include directories, under -nostdinc, so #include_next chains stay intact
 * and no host glibc header leaks in. */
#ifndef GM_TOOLCHAIN_H
#define GM_TOOLCHAIN_H

#include <stdbool.h>

#include "base/err.h"
#include "base/config.h"
#include "store/sysroot.h"

enum toolchain_mode {
	TOOLCHAIN_PROBE,      /* the binary keeps the standard PT_INTERP: methods decide the loader */
	TOOLCHAIN_STANDALONE, /* PT_INTERP = the sysroot's loader, RUNPATH = its libdirs */
	/* As PROBE (the standard PT_INTERP, no path into the store), with
	 * the sysroot's libstdc++ for C++ as STANDALONE: a binary to ship,
	 * linked against the sysroot's libraries, run by the target's own. */
	TOOLCHAIN_PORTABLE,
};

struct toolchain {
	/* "gcc" or "g++" (or $CC / $CXX) for the host's architecture; the
	 * cross compiler "<triplet>-gcc" / "<triplet>-g++" for another one
	 * (Debian's gcc-aarch64-linux-gnu, ...). */
	char *cc;
	char **cflags;     /* preprocessor and compile flags */
	char **ldflags;    /* link flags */
	bool cross;        /* the sysroot is of another architecture than this machine */
	char *version;     /* cross: the first line of `cc --version` (cache keys); else NULL */
};

/* For a project's build (not TOOLCHAIN_PROBE) against a glibc older than
 * 2.34, where libpthread, libdl, librt, libutil and libanl were still
 * libraries of their own, the link takes cfg->recipes/merged-libs.specs:
 * gcc links them as needed at the end of the line, where the newer glibc
 * has them in libc, so what links against the new glibc links unchanged. */
int toolchain_for(const struct gm_config *cfg, const struct sysroot *s, bool cxx,
		  enum toolchain_mode mode, struct toolchain *ret, struct gm_err **err);
void toolchain_release(struct toolchain *t);

/* The directory of the sysroot holding crt1.o (for -B), or NULL. */
char *toolchain_crtdir(const struct sysroot *s);

/* The first line of `$CC --version` (gcc if CC is unset): part of every
 * cache key, since another compiler makes other binaries. */
int compiler_version(char **ret, struct gm_err **err);
/* The same for a named compiler (a cross compiler's key). */
int compiler_version_of(const char *cc, char **ret, struct gm_err **err);

#endif
