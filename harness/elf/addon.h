/* Shared objects made to be loaded by one program: a node add-on, a Python
 * extension.  Their undefined symbols are that program's own exports
 * (napi_*, Py*), which no library of any glibc provides, so loaded by any
 * other program every cell would be missing-symbol whatever the glibc. */
#ifndef GM_ELF_ADDON_H
#define GM_ELF_ADDON_H

struct elf_addon {
	const char *kind;           /* "node add-on" */
	const char *marker;         /* "napi_*": the symbols that say so */
	const char *program;        /* "node": the program that loads it, by name */
	const char *const *args;    /* its arguments; the object's path follows */
	const char *hint;           /* the --host-program a user would give */
};

/* The kind of add-on whose program undef (a sorted list of undefined
 * symbols, elf_info.unversioned_undef) needs, or NULL. */
const struct elf_addon *elf_addon_of(char *const *undef);

/* The first file named name in PATH that is an ELF file (a script or a
 * shim such as pyenv's is passed over: a loader cannot run it), as its
 * real path; NULL when there is none (caller frees). */
char *elf_find_program(const char *name);

#endif
