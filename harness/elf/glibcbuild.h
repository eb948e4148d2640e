/* Which build of glibc a loader and a libc come from.
 *
 * ld.so and libc.so.6 are one program split in two: they share private
 * data structures whose layout depends on the build (version, patches,
 * configure options), not only on the version number.  A Debian 2.36
 * loader running a from-source 2.36 libc.so.6 passes every version check
 * and then hangs in pthread code.  The loader's partner is the libc.so.6
 * installed beside the loader's real file (every layout we know keeps
 * them in one directory); two libcs are the same build when their GNU
 * build IDs are equal. */
#ifndef GM_GLIBCBUILD_H
#define GM_GLIBCBUILD_H

#include <stdbool.h>

enum glibc_pairing {
	GLIBC_PAIR_UNKNOWN,   /* no libc beside the loader, or no build IDs */
	GLIBC_PAIR_SAME,      /* libc is the loader's own build */
	GLIBC_PAIR_MIXED,     /* libc comes from another build */
};

/* Compares libc (a path) with the libc.so.6 built with loader (a path).
 * Never fails: unreadable files give GLIBC_PAIR_UNKNOWN. */
enum glibc_pairing glibc_pairing(const char *loader, const char *libc);

/* The glibc version of a loader: that of the libc.so.6 beside its real
 * file (glibc_libc_version), or NULL when there is none.  A binary built
 * for a sysroot carries that sysroot's ld.so as PT_INTERP: the loader
 * that runs it "as built" is not the host's. */
char *glibc_loader_version(const char *loader);

/* Short build ID of a file (12 hex digits) for display, or NULL. */
char *glibc_build_id_short(const char *path);

#endif
