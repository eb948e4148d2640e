/* `sysroot import`: a complete sysroot from a Debian suite's binary
 * packages (libc6, libc6-dev, linux-libc-dev, libgcc-s1, the C++ runtime
 * and what --with names: debdeps.h), each verified against
 * the suite's Release file (its OpenPGP signature checked by gpgv,
 * signature.h) and Packages index, assembled in a staging
 * directory and renamed into the store as the last step. */
#ifndef GM_DEBIMPORT_H
#define GM_DEBIMPORT_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ui.h"
#include "store/sysroot.h"

struct debimport_opts {
	const char *suite;   /* bookworm, sid, ... ([a-z0-9-]+) */
	const char *arch;    /* Debian name: amd64, arm64, riscv64; NULL: the host's */
	const char *name;    /* NULL: debian-<suite>-<arch> */
	bool refresh;        /* re-read the index even if the sysroot exists */
	/* More packages (names), with the run-time libraries they depend on
	 * (debdeps.h); an existing sysroot without them is imported again
	 * with them added.  NULL: none. */
	char *const *with;
	/* Read the plain Release file and do not check its signature (a local
	 * mirror without one); the hashes are still checked, the manifest
	 * says "signature": "unchecked". */
	bool insecure;
	/* Shared libraries (file names: "libjq.so.1") the sysroot must hold
	 * from the suite, beyond glibc: those it lacks are looked up in the
	 * suite's Contents index (deblibs.h) and the packages that ship them
	 * are added as --with adds packages.  NULL: none. */
	char *const *libraries;
	/* Out, when libraries is given (the caller frees both; NULL: not
	 * wanted): the names no package of the suite ships, and "NAME
	 * PACKAGE VERSION" for each the sysroot holds from a package. */
	char ***ret_unshipped;
	char ***ret_shipped;
	/* Progress notes ("downloading libc6 ...") go through gm_note; NULL: none. */
	const struct gm_ctx *ctx;
	/* The store, the recipes, the mirror and the keyring. */
	const struct gm_config *cfg;
};

enum debimport_state {
	DEBIMPORT_CACHED,     /* existed, not looked at again (no network) */
	DEBIMPORT_UNCHANGED,  /* --refresh: the index still names the same packages */
	DEBIMPORT_IMPORTED,   /* new sysroot */
	DEBIMPORT_REPLACED,   /* --refresh: packages changed, old sysroot replaced */
	DEBIMPORT_EXTENDED,   /* replaced by one with more packages (--with, or an
			       * older import without the C++ runtime) */
};

/* Imports (or finds) the sysroot; *ret gets its manifest. */
int debimport_run(const struct debimport_opts *opts, struct sysroot *ret,
		  enum debimport_state *ret_state, struct gm_err **err);

/* "NAME PACKAGE VERSION" for each of names (library file names) that the
 * imported sysroot s holds from one of its packages, by the suite's
 * library table in the store or, without one, the guesses an import makes
 * (deblibs.h).  No network. */
char **debimport_shipped(const struct gm_config *cfg, const struct sysroot *s,
			 char *const *names);

/* Exposed for unit tests. */
bool debimport_suite_valid(const char *suite);

#endif
