/* A process-wide cache of parsed ELF files, shared by threads.  The matrix
 * predicts thousands of cells that map the same few libraries (each libc.so.6
 * costs milliseconds to read with its symbols); each file is read once.
 * Entries are keyed by path and validated by device, inode, size and mtime,
 * so a file rewritten meanwhile is read again.  Returned infos are immutable
 * and live until elfcache_clear(). */
#ifndef GM_ELFCACHE_H
#define GM_ELFCACHE_H

#include "elf/elfinfo.h"

/* Like elf_info_read_flags(..., ELF_READ_SYMBOLS, ...): 1 and *ret for an
 * ELF file, 0 if not ELF, -1 + err if unreadable or malformed. */
int elfcache_get(const char *path, const struct elf_info **ret, struct gm_err **err);
void elfcache_clear(void);

#endif
