/* ELF facts read with libelf (ELF_C_READ_MMAP, gelf_*), never by executing
 * the file.
 *
 * Every offset, count and string is checked before use: section data must
 * lie inside the file, strings must be terminated inside their table, the
 * version chains are bounded by their section's sh_info and size.  A
 * malformed file yields an error that names the file and the problem
 * (GM_EXIT_USAGE: the input is not what was asked for, the tool is fine). */
#ifndef GM_ELFINFO_H
#define GM_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* One version node a file requires from one library (.gnu.version_r), with
 * the undefined dynamic symbols bound to it (.gnu.version + .dynsym). */
struct elf_vernode {
	char *name;        /* "GLIBC_2.34" */
	bool weak;         /* VER_FLG_WEAK */
	char **symbols;    /* sorted, unique */
};

struct elf_verneed {
	char *file;        /* "libc.so.6" */
	struct elf_vernode *nodes;
	size_t n_nodes;
};

/* One version node a library defines (.gnu.version_d), with its symbols. */
struct elf_verdef {
	char *name;
	char **symbols;    /* defined dynamic symbols of that version, sorted */
	size_t n_symbols;
};

struct elf_info {
	int elfclass;       /* ELFCLASS32 / ELFCLASS64 */
	int machine;        /* EM_* */
	int type;           /* ET_EXEC, ET_DYN, ... */
	bool dynamic;       /* has PT_DYNAMIC */
	bool pie;           /* ET_DYN with PT_INTERP, or DF_1_PIE */
	/* A dynamic executable with copy relocations (R_*_COPY: data of a
	 * library copied into the program at start-up). */
	bool copy_relocs;
	char *interp;       /* PT_INTERP or NULL */
	char *soname;       /* DT_SONAME or NULL */
	char *rpath;        /* DT_RPATH or NULL */
	char *runpath;      /* DT_RUNPATH or NULL */
	char **needed;      /* DT_NEEDED in order */
	char **verdefs;     /* names of defined nodes (base entry excluded) */
	struct elf_verdef *defs;
	size_t n_defs;
	struct elf_verneed *needs;
	size_t n_needs;
	/* With ELF_READ_SYMBOLS, both sorted: strong undefined symbols without
	 * a version (a weak one may stay unresolved), and the defined dynamic
	 * symbols an unversioned reference can bind to (global or weak, not a
	 * hidden version: the default one, or none). */
	char **unversioned_undef;
	char **exported;
	size_t n_exported;
	char *build_id;     /* GNU build ID as hex, or NULL */
};

/* Which parts to read: symbol lists cost time on big libraries. */
enum {
	ELF_READ_SYMBOLS = 1 << 0,  /* fill elf_vernode.symbols and elf_verdef.symbols */
};

/* Returns 1 and fills *ret for an ELF file, 0 if the file is not ELF at all
 * (nothing to report), -1 + err if it is ELF but malformed or unreadable. */
int elf_info_read(const char *path, struct elf_info *ret, struct gm_err **err);
int elf_info_read_flags(const char *path, int flags, struct elf_info *ret, struct gm_err **err);
void elf_info_release(struct elf_info *info);

/* What kind of file a user hands us, which decides how it can be run:
 * a dynamic executable through a loader, a static one only directly (it
 * carries its own libc), a shared object only by a program that loads it. */
enum elf_file_kind {
	ELF_FILE_DYNAMIC_EXEC,  /* PT_INTERP */
	ELF_FILE_STATIC_EXEC,   /* no PT_INTERP: ET_EXEC, or ET_DYN marked DF_1_PIE */
	ELF_FILE_SHARED_OBJECT, /* ET_DYN without PT_INTERP and not a PIE */
	ELF_FILE_OTHER,         /* relocatable object, core file */
};
enum elf_file_kind elf_file_kind(const struct elf_info *info);
/* "dynamic executable", "static executable", "shared object", "ELF file". */
const char *elf_file_kind_name(enum elf_file_kind k);

/* GNU machine name for an EM_* value ("x86_64", "aarch64", "riscv64"). */
const char *elf_machine_name(int machine);

/* Convenience lookups. */
const struct elf_verdef *elf_find_def(const struct elf_info *info, const char *node);
/* One search-path entry with $ORIGIN and ${ORIGIN} replaced by the
 * directory of object, as the loader expands them (caller frees). */
char *elf_expand_origin(const char *entry, const char *object);
/* The object's own search path as the loader uses it for the object's
 * needs: DT_RUNPATH if it has one, else DT_RPATH, each entry expanded
 * (NULL-terminated; empty without either). */
char **elf_own_search_path(const struct elf_info *info, const char *object);

/* symbol is in info->exported. */
bool elf_exports(const struct elf_info *info, const char *symbol);
bool elf_def_has_symbol(const struct elf_verdef *def, const char *symbol);

#endif
