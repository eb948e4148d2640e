/* The closure of a file as shipped: the file and every library it (and
 * they) need that is found in its own bundle, i.e. through the DT_RUNPATH
 * or DT_RPATH of the object that needs it ($ORIGIN expanded, as the loader
 * does; an executable's DT_RPATH also serves the libraries below it when
 * they have no DT_RUNPATH).  glibc's own libraries and whatever the bundle
 * does not carry come from the target system: they are listed, not
 * followed.  The floor of the closure is the highest glibc node any of its
 * objects requires, and the object that requires it is named: the answer
 * to "my app is 2.38, why does it fail with GLIBC_2.39?". */
#ifndef GM_CLOSURE_H
#define GM_CLOSURE_H

#include <stddef.h>

#include "base/err.h"

struct closure_obj {
	char *path;        /* as found (the file: its real path) */
	char *needed_as;   /* the DT_NEEDED name, NULL for the file itself */
	char *needed_by;   /* the object that needs it, NULL for the file itself */
	char *floor;       /* "2.34", or NULL (requires no numbered glibc node) */
};

struct closure {
	struct closure_obj *objs; /* breadth-first: objs[0] is the file */
	size_t n;
	char **outside;           /* DT_NEEDED names left to the target system, sorted */
	const char *floor;        /* the closure's floor (points into objs), or NULL */
	const char *floor_by;     /* the first object in objs that requires it, or NULL */
};

/* 0 and *ret, or -1 + err (usage: not ELF, unreadable or malformed; a
 * bundled library that is malformed is an error naming it). */
int elf_closure(const char *file, struct closure *ret, struct gm_err **err);
void closure_release(struct closure *c);

#endif
