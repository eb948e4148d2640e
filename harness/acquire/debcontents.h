/* Which package of a Debian suite ships a shared library: the suite's
 * Contents-<arch> index (main/Contents-<arch>.gz, listed with its sha256 in
 * the signed Release file), reduced to the library file names under the
 * loader's directories and kept in the store as a small table, so "runs on
 * trixie" can mean "with trixie's own libraries" (issue 23: a program whose
 * libjq came from this machine's older suite is not a trixie program).
 *
 * The reduction is a pure function on lines (unit-testable); the table
 * file is "SONAME<TAB>PKG[,PKG...]" lines after one "# contents SHA256"
 * line naming the index it came from. */
#ifndef GM_DEBCONTENTS_H
#define GM_DEBCONTENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strmap.h"

/* The table: names[i] ships in pkgs[i] ("libjq1" or "libssl3t64,libssl3"). */
struct debcontents {
	char *contents_sha256;  /* the index it was made from */
	char **names, **pkgs;
	size_t n;
	struct strmap by_name;
};

/* One line of a Contents index ("usr/lib/x86_64-linux-gnu/libjq.so.1
 * libs/libjq1"): true and the file name and the packages (comma-separated,
 * sections dropped) when the path is a shared library ("*.so" or
 * "*.so.*") directly in lib/, usr/lib/, lib64/, usr/lib64/ or their
 * <triplet> directories.  line is cut in place. */
bool debcontents_line(char *line, const char *triplet, const char **ret_name,
		      char **ret_pkgs);

/* dir (len bytes, no leading '/') is lib, usr/lib, lib64, usr/lib64 or a
 * <triplet> directory of one: where a distribution keeps libraries. */
bool is_lib_dir(const char *dir, size_t len, const char *triplet);

/* Reads the table file at path (0), 1 when there is none; -1 + err when
 * it is malformed (naming the file and line). */
int debcontents_load(const char *path, struct debcontents *ret, struct gm_err **err);

/* Makes the table from the downloaded index at contents (any compression)
 * and writes it atomically to path. */
int debcontents_make(const char *contents, const char *sha256, const char *triplet,
		     const char *path, struct debcontents *ret, struct gm_err **err);

/* The packages that ship name, comma-separated, or NULL. */
const char *debcontents_find(const struct debcontents *c, const char *name);

void debcontents_release(struct debcontents *c);

#endif
