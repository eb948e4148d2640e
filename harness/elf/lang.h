/* The language a program was written in, as its ELF file shows it, so a
 * remedy can speak the language's own build tool (explain --why): Go by
 * its build ID note or build-info section, Rust by rustc's line in
 * .comment or its runtime's symbols. */
#ifndef GM_LANG_H
#define GM_LANG_H

enum elf_lang {
	ELF_LANG_OTHER, /* C, C++ or anything we do not tell apart */
	ELF_LANG_GO,
	ELF_LANG_RUST,
};

/* The language of path; ELF_LANG_OTHER when it cannot be read. */
enum elf_lang elf_lang_of(const char *path);
/* "Go", "Rust" or NULL. */
const char *elf_lang_name(enum elf_lang l);

#endif
