/* Internal to the patcher (elf/elfpatch*.c): the state one patch works on.
 *   elfpatch-load.c    reads and validates the input with libelf
 *   elfpatch-layout.c  plans the edits and lays out the appended segment
 *   elfpatch.c         writes, re-reads and checks the output; the API */
#ifndef GM_ELFPATCH_INT_H
#define GM_ELFPATCH_INT_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "elf/elfpatch.h"

/* Keeping the new segment at the first PT_LOAD's offset-to-address delta
 * leaves a hole of about the size of .bss; past this it is not worth it
 * and the segment follows the end of the file instead. */
#define HOLE_MAX (256ULL << 20)
/* Free DT_NULL slots left in a moved .dynamic for the next tool. */
#define DYN_SPARE 4

struct patcher {
	const char *path;
	Elf *e;
	const unsigned char *raw;
	size_t size;
	int cls;
	unsigned char encoding;
	GElf_Ehdr eh;
	size_t phnum, phent;
	GElf_Phdr *ph;          /* phnum + 1 slots: room for the new PT_LOAD */
	int interp_ph, dyn_ph;  /* -1: absent */
	size_t shnum, shent;
	GElf_Shdr *sh;
	bool *sh_dirty;
	size_t interp_sec, dyn_sec, str_sec; /* 0: absent */
	GElf_Dyn *dyn;
	size_t ndyn, nused, dynent; /* slots, entries before the first DT_NULL */
	bool dyn_dirty;
	bool have_str;
	GElf_Addr strtab;
	size_t strsz, stroff;
	bool encode_failed;
	int fd;                 /* the input */

	/* The input's bytes plus in-place edits: a private copy-on-write
	 * mapping, so only edited pages are copied; dirty lists the edits. */
	unsigned char *out;
	struct range { size_t off, len; } *dirty;
	size_t n_dirty;
	unsigned char *add;     /* the appended region */
	size_t add_len;
	GElf_Off add_off;
	GElf_Addr add_vaddr;
	bool move_interp, move_str, move_dyn;
	const char *interp, *newstr;
	size_t interp_len, newstr_len; /* with the NUL */
	size_t new_ndyn;
	size_t at_dyn, at_interp, at_str; /* positions inside the region */
};

/* Fills err with "'<path>': <message>" (GM_EXIT_USAGE: the input is not what was asked for) and returns -1. */
int patcher_bad(const struct patcher *p, struct gm_err **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reads fd (the whole file when full) and validates every table the patch
 * touches; p->path names it in errors. */
int patcher_load(struct patcher *p, int fd, bool full, struct gm_err **err);
void patcher_release(struct patcher *p);
/* Decides the edits for o and builds the output image in p->out/p->add. */
int patcher_plan(struct patcher *p, const struct elf_patch_opts *o, struct gm_err **err);

#endif
