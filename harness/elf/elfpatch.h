/* Rewrites PT_INTERP, DT_RUNPATH and DT_RPATH of an ELF executable or shared
 * library (our own patchelf for the "patched PT_INTERP" and "RUNPATH"
 * methods), read with libelf and written byte by byte through gelf_xlatetof.
 *
 * Layout policy:
 *   - A new string that fits where the old one was is written in place: the
 *     interpreter into PT_INTERP's bytes (zero-filled, sizes kept), a search
 *     path into the old DT_RUNPATH/DT_RPATH string in .dynstr, provided no
 *     other reference (symbol, version, other dynamic entry) points into
 *     that string (the linker merges string tails).
 *   - Otherwise the file grows: one new PT_LOAD at the end of the file,
 *     above every existing segment, holds a copy of the program header table
 *     (PT_PHDR follows it) and whatever moved: the interpreter string, a
 *     copy of .dynstr with the new string appended, and .dynamic when it had
 *     no spare DT_NULL slot for a new entry (the segment is then writable,
 *     as glibc before 2.35 relocates .dynamic in place).  The new segment is
 *     placed at the same file-offset-to-address delta as the first PT_LOAD,
 *     so kernels older than 5.18, which compute AT_PHDR from that delta and
 *     e_phoff, find the moved table; the gap is left as a sparse hole.
 *     Section headers of moved sections, DT_STRTAB and DT_STRSZ follow.
 *   - --remove-runpath deletes every DT_RUNPATH and DT_RPATH entry, shifting
 *     later entries down and padding with DT_NULL; it never grows the file.
 *   - Setting one kind of search path leaves exactly one entry of that kind
 *     (an entry of the other kind is converted, duplicates are removed).
 *
 * The input file is never modified.  The output is written to a temporary
 * file beside OUT, re-read and checked (the interpreter and search paths
 * read back as requested through elf_info_read, every program header lies in
 * the file, PT_LOAD entries are sorted, PT_PHDR lies in a PT_LOAD at the
 * matching address), fsync'ed and renamed to OUT; it keeps the input's
 * permission bits (without set-id bits).  On failure the temporary file is
 * removed and OUT is untouched.  The directory is not fsync'ed: a crash can
 * lose the rename but never leaves a partial OUT.
 *
 * Errors name the input file: GM_EXIT_USAGE for a missing input, OUT being
 * the input, empty arguments, a malformed ELF file or one that lacks what
 * was asked for (--interp on a file without PT_INTERP, a search path on a
 * file without a dynamic section); GM_EXIT_INFRA for I/O. */
#ifndef GM_ELFPATCH_H
#define GM_ELFPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum elf_patch_path_op {
	ELF_PATCH_PATH_KEEP = 0,
	ELF_PATCH_PATH_RUNPATH,   /* set DT_RUNPATH = path */
	ELF_PATCH_PATH_RPATH,     /* set DT_RPATH = path */
	ELF_PATCH_PATH_REMOVE,    /* remove DT_RUNPATH and DT_RPATH */
};

struct elf_patch_opts {
	const char *interp;               /* new PT_INTERP, NULL: keep */
	enum elf_patch_path_op path_op;
	const char *path;                 /* for RUNPATH/RPATH; may be "" */
};

/* What was done, for the command's summary. */
struct elf_patch_result {
	bool interp_moved;      /* false: in place (or not asked) */
	bool strtab_moved;      /* .dynstr copied into the new segment */
	bool dynamic_moved;     /* .dynamic copied into the new segment */
	bool grown;             /* a new PT_LOAD was added */
	unsigned long long old_size, new_size; /* apparent file sizes */
};

/* Patches in into out as opts asks.  ret may be NULL.  Returns 0, or -1
 * with *err set (see the codes above). */
int elf_patch(const char *in, const char *out, const struct elf_patch_opts *opts,
	      struct elf_patch_result *ret, struct gm_err **err);

/* The same for n files at once, all or nothing: every output is written
 * and checked first, then made durable with one syncfs() per file system
 * (one journal commit, not n), then renamed into place.  If any file fails,
 * no output is created (a failed rename, the last step, can leave the
 * earlier ones).  ret, if not NULL, has n entries. */
int elf_patch_many(const char *const *in, const char *const *out, size_t n,
		   const struct elf_patch_opts *opts, struct elf_patch_result *ret,
		   struct gm_err **err);

#endif
