/* The target suite's own libraries for an imported sysroot (issue 23): the
 * shared libraries a user's program needs beyond glibc are taken from the
 * packages of the suite that ship them (debcontents.h), not borrowed from
 * this machine.  Helpers of debimport.c, which owns the Release file and
 * the lock. */
#ifndef GM_DEBLIBS_H
#define GM_DEBLIBS_H

#include "acquire/debcontents.h"
#include "base/config.h"
#include "base/err.h"
#include "store/sysroot.h"

/* Downloads dists/<suite>/<path> (a file the verified Release text lists)
 * to dest, by hash when the Release says the mirror serves by hash (the
 * file cannot change between the Release and the download), checking its
 * size and sha256.  0, or -1 + err; a path the Release does not list is
 * GM_EXIT_USAGE naming what. */
int deblibs_fetch_listed(const char *url, const char *suite, const char *release,
			 const char *path, const char *dest, const char *what,
			 struct gm_err **err);

/* The names of names (library file names) that no directory of s holds. */
char **deblibs_lacking(const struct sysroot *s, char *const *names);

/* The library table of suite and arch in the store's downloads (NULL-safe
 * path made here; the caller frees). */
char *deblibs_table_path(const char *downloads, const char *suite, const char *deb_arch);

/* The table for the verified Release text: the one in the store when it
 * was made from the Contents index this Release lists, else made again
 * from a fresh download of it. */
int deblibs_table(const char *url, const char *suite, const char *release,
		  const char *downloads, const char *deb_arch, const char *triplet,
		  struct debcontents *ret, struct gm_err **err);

/* The package Debian's policy for shared libraries names after a
 * library's file name (its SONAME): libjq.so.1 libjq1, libsqlite3.so.0
 * libsqlite3-0 (a hyphen after a digit), libfoo-1.2.so libfoo-1.2, '_' as
 * '-', lower case.  NULL when name is not lib*.so*.  For a mirror whose
 * Contents index is not the one its Release lists (one was seen serving
 * trixie's, 1,056 bytes off): the guess is then proven by the sysroot
 * holding the file once the package is in. */
char *deblibs_policy_name(const char *name);

/* For each of names, the packages that ship a file of that name in a
 * library directory on this machine, by dpkg's database (dpkg_info: its
 * info directory, /var/lib/dpkg/info; missing: none), "A,B" or NULL each:
 * a second guess where the policy's fails (libz.so.1 is zlib1g's). */
char **deblibs_host_owners(const char *dpkg_info, const char *triplet, char *const *names);

/* For each of names: the package of index (a Packages text for deb_arch)
 * that ships it, by t (NULL: by deblibs_policy_name, then owners[i], each
 * also with "t64", the 64-bit time_t transition's suffix), pushed onto *with unless
 * there already; names no package of the index ships go to *unshipped.
 * Among several packages the first the index has wins, a run-time library
 * before anything else. */
void deblibs_choose(const struct debcontents *t, char *const *owners, const char *index,
		    const char *deb_arch, char *const *names, char ***with, char ***unshipped);

/* "NAME PACKAGE VERSION" for each of names that s now holds and whose
 * package (by t; NULL: by the guesses deblibs_choose makes from owners)
 * is one of s's packages. */
char **deblibs_shipped(const struct debcontents *t, char *const *owners,
		       const struct sysroot *s, char *const *names);

#endif
