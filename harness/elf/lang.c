#define _GNU_SOURCE
#include "elf/lang.h"
#include "base/cleanup.h"

#include <fcntl.h>
#include <stdbool.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

/* A section's bytes contain needle (bounded: .comment is a few lines). */
static bool section_has(Elf_Scn *scn, const char *needle)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = strlen(needle);
	if (!d || !d->d_buf || d->d_size < n || d->d_size > (1u << 20))
		return false;
	return memmem(d->d_buf, d->d_size, needle, n) != NULL;
}

/* A symbol table names one of Rust's runtime entry points. */
static bool rust_symbols(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;
	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym sym;
		const char *name = gelf_getsym(d, (int)i, &sym)
					   ? elf_strptr(e, sh->sh_link, sym.st_name) : NULL;
		if (name && (strcmp(name, "rust_begin_unwind") == 0 ||
			     strncmp(name, "__rust_", 7) == 0 || strncmp(name, "_ZN3std", 7) == 0))
			return true;
	}
	return false;
}

static enum elf_lang scan(Elf *e)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return ELF_LANG_OTHER;
	bool rust = false;
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (!name)
			continue;
		if (strcmp(name, ".note.go.buildid") == 0 || strcmp(name, ".go.buildinfo") == 0)
			return ELF_LANG_GO;
		if (strcmp(name, ".comment") == 0 && section_has(scn, "rustc version"))
			rust = true;
		else if ((sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) && !rust)
			rust = rust_symbols(e, scn, &sh);
	}
	return rust ? ELF_LANG_RUST : ELF_LANG_OTHER;
}

enum elf_lang elf_lang_of(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		return ELF_LANG_OTHER;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	enum elf_lang l = e && elf_kind(e) == ELF_K_ELF ? scan(e) : ELF_LANG_OTHER;
	if (e)
		elf_end(e);
	return l;
}

const char *elf_lang_name(enum elf_lang l)
{
	return l == ELF_LANG_GO ? "Go" : l == ELF_LANG_RUST ? "Rust" : NULL;
}
