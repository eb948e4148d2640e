/* Debian archive indexes: the Release file of a suite and its Packages
 * index.  Pure functions on text, so they are unit-testable without a
 * network. */
#ifndef GM_DEBINDEX_H
#define GM_DEBINDEX_H

#include <stdbool.h>
#include <stddef.h>

/* Looks up path ("main/binary-amd64/Packages.xz") in the SHA256 section of
 * a Release file.  Returns true and fills ret_sha256 (65 bytes, lowercase
 * hex) and *ret_size (may be NULL) if it is listed there; other sections
 * (MD5Sum) are ignored. */
bool debindex_release_sha256(const char *release, const char *path, char ret_sha256[65],
			     unsigned long long *ret_size);

/* true if the Release file says "Acquire-By-Hash: yes": indexes can then be
 * fetched by their hash, immune to the mirror updating between the Release
 * file and the index. */
bool debindex_release_by_hash(const char *release);

/* The value of a top-level field of the Release file ("Suite", "Codename",
 * "Architectures"), or NULL. */
char *debindex_release_field(const char *release, const char *field);

struct debpkg {
	char *package;
	char *version;
	char *architecture;
	char *filename;   /* relative to the archive root: pool/main/... */
	char *sha256;
	unsigned long long size;
	/* What the importer needs to follow dependencies; "" when absent. */
	char *depends;     /* Pre-Depends and Depends, joined by ", " */
	char *section;     /* "libs", "libdevel", "non-free/libs", ... */
	char *multi_arch;  /* "same", "foreign", "allowed" */
};

void debpkg_release(struct debpkg *p);

/* Parses one stanza (text up to the first blank line or len).  Returns
 * false unless Package, Version, Filename and a 64-hex SHA256 are present. */
bool debindex_parse_stanza(const char *text, size_t len, struct debpkg *ret);

/* Finds package name in a Packages index for arch (stanzas of
 * Architecture "all" also qualify) and returns the stanza with the highest
 * version (dpkg order).  Returns false if there is none. */
bool debindex_find(const char *packages, const char *name, const char *arch,
		   struct debpkg *ret);

/* Splits a Depends value ("a (>= 1), b:any | c, d [amd64]") into its
 * clauses: each a NULL-terminated list of package names, the alternatives in
 * order, with version constraints, architecture qualifiers and restrictions
 * dropped.  The result is NULL-terminated; free it with
 * debindex_depends_free(). */
char ***debindex_depends(const char *value);
void debindex_depends_free(char ***clauses);

/* true if the package is a run-time library as Debian files one: Multi-Arch
 * "same" (co-installable per architecture, which is what a library loaded by
 * the dynamic loader is) and a section ending in "libs" (libs, oldlibs,
 * non-free/libs), not a -dev package (libdevel). */
bool debpkg_is_runtime_library(const struct debpkg *p);

#endif
