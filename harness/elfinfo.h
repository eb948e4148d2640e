/* ELF facts read with libelf, never by executing the file.
 *
 * Every offset and string is checked before use; a malformed file yields an
 * error that names the file and the problem. */
#ifndef GM_ELFINFO_H
#define GM_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct elf_info {
	int elfclass;       /* ELFCLASS32 / ELFCLASS64 */
	int machine;        /* EM_* */
	char *soname;       /* DT_SONAME or NULL */
	char **verdefs;     /* names defined in .gnu.version_d (base entry excluded) */
};

/* Returns 1 and fills *ret for an ELF file, 0 if the file is not ELF at all
 * (nothing to report), -1 + err if it is ELF but malformed or unreadable. */
int elf_info_read(const char *path, struct elf_info *ret, struct gm_err **err);
void elf_info_release(struct elf_info *info);

/* GNU machine name for an EM_* value ("x86_64", "aarch64", "riscv64"). */
const char *elf_machine_name(int machine);

#endif
