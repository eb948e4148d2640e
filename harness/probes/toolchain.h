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
#include "store/sysroot.h"

enum toolchain_mode {
	TOOLCHAIN_PROBE,      /* the binary keeps the standard PT_INTERP: routes decide the loader */
	TOOLCHAIN_STANDALONE, /* PT_INTERP = the sysroot's loader, RUNPATH = its libdirs */
};

struct toolchain {
	char *cc;          /* "gcc" or "g++" (or $CC / $CXX) */
	char **cflags;     /* preprocessor and compile flags */
	char **ldflags;    /* link flags */
};

int toolchain_for(const struct sysroot *s, bool cxx, enum toolchain_mode mode,
		  struct toolchain *ret, struct gm_err **err);
void toolchain_release(struct toolchain *t);

/* The directory of the sysroot holding crt1.o (for -B), or NULL. */
char *toolchain_crtdir(const struct sysroot *s);

/* The first line of `$CC --version` (gcc if CC is unset): part of every
 * cache key, since another compiler makes other binaries. */
int compiler_version(char **ret, struct gm_err **err);

#endif
