/* What glibc's version nodes mean: which libraries belong to glibc, which
 * nodes are numbered releases, which are special, and a binary's floor. */
#ifndef GM_GLIBCVER_H
#define GM_GLIBCVER_H

#include <stdbool.h>

#include "elf/elfinfo.h"

/* true for libraries glibc itself ships (libc.so.6, libm.so.6, ld-linux*,
 * libpthread.so.0, libnss_files.so.2, ...). */
bool glibc_is_glibc_lib(const char *soname);
/* true for the libraries whose nodes define the glibc floor: libc, libm,
 * libpthread, libdl, librt, libutil, libanl, libresolv and ld.so. */
bool glibc_is_floor_lib(const char *soname);

/* "GLIBC_2.34" -> "2.34"; NULL for other nodes (GLIBC_PRIVATE, ...). */
const char *glibc_node_version(const char *node);
/* Special nodes: GLIBC_PRIVATE, GLIBC_ABI_DT_RELR, GLIBC_ABI_GNU2_TLS. */
bool glibc_node_special(const char *node);
/* The upstream release that introduced a special node, or NULL
 * (GLIBC_ABI_DT_RELR: 2.36; GLIBC_ABI_GNU2_TLS: 2.43, backported to 2.41/2.42
 * release branches; GLIBC_PRIVATE: none, it ties a binary to one build). */
const char *glibc_special_since(const char *node);

/* The highest numbered GLIBC_x.y node info requires from a floor library,
 * or NULL if it requires none (static, or no glibc dependency).  Points
 * into info. */
const char *glibc_floor(const struct elf_info *info);

/* The banner compiled into a libc.so.6 ("... release version 2.36."), read
 * from the file, never by running it; NULL if there is none.  The file is
 * scanned in a fixed window, never held whole, and only its first
 * GLIBC_BANNER_SCAN_MAX bytes (the banner is in .rodata, near the start;
 * a hostile file of gigabytes costs one window of memory). */
#define GLIBC_BANNER_SCAN_MAX ((size_t)64 << 20)
char *glibc_banner_version(const char *libc_path);

/* The glibc version of a libc.so.6, found without executing it: the newest
 * GLIBC_x.y node it defines (*ret_node, "2.30"), raised to the banner's
 * version when the banner names a later one of the same series (not every
 * release adds a node: 2.31 defines none of its own on x86_64).  Returns 1
 * and sets both (caller frees), 0 if the file defines no GLIBC_x.y node,
 * -1 + err if it is unreadable or not ELF. */
int glibc_libc_version(const char *libc_path, char **ret_version, char **ret_node,
		       struct gm_err **err);

#endif
