/* Libraries only some commands need (libarchive, libcurl and what they pull:
 * ICU, libxml2, GnuTLS, Kerberos, ~40 objects) are opened on first use, so
 * the commands that never download or unpack start in a third of the time;
 * `patch` and `inspect` run once per file in users' scripts.  The headers
 * still give every pointer its exact type. */
#ifndef GM_LAZYLIB_H
#define GM_LAZYLIB_H

#include <stddef.h>

#include "base/err.h"

/* Opens soname once and fills ptrs[i] with names[i] (n of them).  Thread
 * safe; later calls are cheap.  GM_EXIT_INFRA naming the library if it or
 * a symbol is missing. */
int lazylib_load(const char *soname, const char *const *names, void **ptrs, size_t n,
		 struct gm_err **err);

#endif
