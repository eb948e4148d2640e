/* The ELF-only gate of `inspect --max-glibc VERSION` and `--profile NAME`:
 * which version nodes a file requires beyond a glibc limit (and, with a
 * manylinux profile, beyond its libstdc++/libgcc limits), with the symbols
 * bound to each, and which needed libraries a profile does not allow.
 * Pure: it judges an elf_info already read (with ELF_READ_SYMBOLS for the
 * symbols) and never opens the file again.
 *
 * What counts as over a glibc limit L, in the libraries glibc ships
 * (glibc_is_glibc_lib, ld.so included: the loader refuses its nodes too):
 *   GLIBC_x.y           x.y newer than L
 *   GLIBC_PRIVATE       always: it ties the file to one glibc build
 *   GLIBC_ABI_DT_RELR,  when the release that introduced the node
 *   GLIBC_ABI_GNU2_TLS  (glibc_special_since) is newer than L; an ABI node
 *                       this table does not know is over
 * With a profile (sysroots/profiles-manylinux.tsv, whose header names the
 * columns and cites auditwheel's policy), also: a node of a family the
 * profile limits (GLIBCXX, CXXABI, GCC, ...) from any library but ld.so,
 * beyond that limit; and a DT_NEEDED outside the profile's libraries
 * (the loader, ld-linux* or ld64.so*, is always allowed). */
#ifndef GM_FLOORGATE_H
#define GM_FLOORGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "elf/elfinfo.h"

struct gate_profile {
	char *name;        /* "manylinux_2_28" */
	char **aliases;    /* "manylinux2014"; empty when none */
	char *glibc;       /* "2.28" */
	char **nodes;      /* "GLIBCXX_3.4.24", "CXXABI_TM_1", "LIBATOMIC" (see the file) */
	char **libraries;  /* "libc.so.6", ... */
};

/* Reads the profile called name (or one of its aliases) from path.
 * Returns 0; -1 + err: GM_EXIT_USAGE for a name the file lacks (the message
 * lists the names it has), GM_EXIT_INFRA for an unreadable or malformed
 * file. */
int gate_profile_load(const char *path, const char *name, struct gate_profile *ret,
		      struct gm_err **err);
void gate_profile_release(struct gate_profile *p);

struct gate {
	const char *glibc;                  /* the limit: "2.28" */
	const struct gate_profile *profile; /* or NULL */
};

enum gate_why {
	GATE_NEWER,     /* GLIBC_x.y newer than the limit */
	GATE_PRIVATE,   /* GLIBC_PRIVATE */
	GATE_ABI,       /* GLIBC_ABI_* newer than the limit, or unknown */
	GATE_UNKNOWN,   /* another GLIBC_ node glibc's numbering does not explain */
	GATE_PROFILE,   /* beyond the profile's limit of the node's family */
};

/* One required node over the limit.  Every pointer points into the
 * elf_info and the gate given to gate_check: use the hit before either is
 * released. */
struct gate_hit {
	const char *library;      /* "libc.so.6" */
	const char *node;         /* "GLIBC_2.34" */
	char *const *symbols;     /* bound to the node (may be empty) */
	enum gate_why why;
	const char *detail;       /* GATE_ABI: the release that introduced the node
				   * (NULL: unknown); GATE_PROFILE: the profile's
				   * entry for the family ("GLIBCXX_3.4.24", or the
				   * bare family when it allows none) */
};

struct gate_result {
	bool is_static;           /* a static executable: no version needs at all */
	const char *floor;        /* glibc_floor(), or NULL */
	struct gate_hit *hits;    /* in the file's order of needs and nodes */
	size_t n_hits;
	char **outside;           /* with a profile: the DT_NEEDED entries it does
				   * not allow (owned copies); NULL when none */
};

void gate_check(const struct gate *g, const struct elf_info *in, struct gate_result *ret);
/* Anything over: a hit or a library outside the profile. */
bool gate_over(const struct gate_result *r);
void gate_result_release(struct gate_result *r);

#endif
