/* Which packages an imported sysroot is made of: the glibc set (libc6,
 * libc6-dev, linux-libc-dev, libgcc-s1), the C++ runtime and headers by
 * default, and the packages a user names with --with, each with the
 * run-time libraries it depends on.  A pure function on the text of a
 * Packages index, so it is unit-testable without a network. */
#ifndef GM_DEBDEPS_H
#define GM_DEBDEPS_H

#include <stddef.h>

#include "acquire/debindex.h"
#include "base/err.h"

struct debset {
	/* In extraction order: the glibc set first (pkgs[0] is libc6). */
	struct debpkg *pkgs;
	size_t n;
	/* What was left out and why ("libssl3 depends on debconf, which is
	 * not a run-time library: not taken"), for the user's notes. */
	char **notes;
};

/* Picks the packages from index (main/binary-<arch>/Packages of suite) for
 * arch.  with: package names the user asked for (may be NULL); each must
 * exist (GM_EXIT_USAGE names the first that does not).  Dependencies
 * (Pre-Depends and Depends, the first alternative the index has) are
 * followed into run-time libraries only (debpkg_is_runtime_library): a
 * sysroot is for compiling against and loading, so tools, data and
 * maintainer-script helpers (debconf, perl) stay out, and a -dev package
 * is taken only when named.  The glibc set's own dependencies are not
 * followed: it is the glibc under test, and what the suite's libc6 needs
 * beyond it (libcrypt1) is named with --with when wanted.  The C++ runtime
 * (libstdc++6 and the libstdc++-N-dev of the same GCC) is taken when the
 * suite has it, with a note when it does not. */
int debdeps_resolve(const char *index, const char *arch, const char *suite, char *const *with,
		    struct debset *ret, struct gm_err **err);
void debset_release(struct debset *s);

/* true if name is a valid Debian package name ([a-z0-9][a-z0-9+.-]+). */
bool debdeps_name_valid(const char *name);

#endif
