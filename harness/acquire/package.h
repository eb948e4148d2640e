/* A user's package as `check PKG` takes it: a .deb, a tarball (npm's .tgz,
 * any .tar.*) or a directory.  An archive is unpacked with libarchive
 * (acquire/archive.h: hostile until proven otherwise, held to its bounds)
 * into a directory the caller owns, never beside the user's file, with its
 * layout kept so that $ORIGIN search paths find what it bundles; a
 * directory is read where it is.  Its ELF files are listed, its glibc
 * floor found (the highest GLIBC_x.y any of them requires, the file and a
 * symbol that require it), and a .deb's own control fields kept (Depends,
 * for resolving what the package needs from its suite). */
#ifndef GM_PACKAGE_H
#define GM_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum package_kind { PACKAGE_DEB, PACKAGE_TARBALL, PACKAGE_DIR };

struct package {
	char *name;              /* as the user named it */
	enum package_kind kind;
	char *root;              /* the real path of the tree its files are in */
	char **files;            /* its ELF files that load or run, relative to root, sorted */
	char **passed_over;      /* ELF files that do not (relocatable objects, debug
				  * files), relative to root, sorted */
	/* The library directories of the tree the loader searches by default
	 * once the package is installed (lib, usr/lib, lib64, usr/lib64 and
	 * their <triplet> directories), as absolute paths; those that exist. */
	char **libdirs;
	/* A .deb's control fields: Package, Version, Architecture, the
	 * Pre-Depends and Depends text ("" when it has none), and that text's
	 * clauses (debindex_depends: names, alternatives in order). NULL for
	 * other kinds. */
	char *deb_package, *deb_version, *deb_arch, *depends_field;
	char ***depends;
	/* The package's floor: the highest GLIBC_x.y any of its files needs
	 * from a floor library (elf/glibcver.h), which file (relative to
	 * root), from which library, by which symbol (NULL when that node
	 * binds none: a weak node), and how many symbols bind to it.  All NULL
	 * when no file requires a numbered node. */
	char *floor, *floor_file, *floor_library, *floor_symbol;
	size_t floor_symbols;
};

/* What path is as a package: 1 and *ret_kind (a directory; a .deb by its
 * "!<arch>" magic; a tarball by its name (.tar, .tgz, .tar.*, .tbz2, .txz)
 * or its compression's or tar's magic), 0 when it is none (an ELF file is
 * none), -1 + err when it cannot be read (GM_EXIT_USAGE). */
int package_kind_of(const char *path, enum package_kind *ret_kind, struct gm_err **err);

/* "deb", "tarball", "directory". */
const char *package_kind_name(enum package_kind k);

/* Opens the package at path: an archive is unpacked into destdir (created
 * here; absolute and escaping symlinks inside rewritten to stay in it).
 * Files are found without following symlinks, at most
 * ARCHIVE_PACKAGE_MAX_ENTRIES of them and 64 directories deep.  A package
 * without one ELF file that loads or runs is a usage error naming it.
 * Errors name the file and the cause: GM_EXIT_USAGE for the input's
 * faults, GM_EXIT_INFRA for this machine's.  skip: a directory the walk
 * passes over (the run's own, where other packages are unpacked, when it
 * lies inside a directory given as a package), or NULL. */
int package_open(const char *name, const char *path, enum package_kind kind,
		 const char *destdir, const char *skip, struct package *ret, struct gm_err **err);
void package_release(struct package *p);

#endif
