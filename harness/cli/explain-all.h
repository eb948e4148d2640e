/* explain FILE --against-all: FILE predicted against every sysroot of its
 * architecture in the store, oldest glibc first, by the loader and interp
 * methods; per method the oldest glibc that runs it and the newest that does
 * not. */
#ifndef GM_EXPLAIN_ALL_H
#define GM_EXPLAIN_ALL_H

#include <stdbool.h>

#include "base/err.h"
#include "base/ui.h"

/* 0 (loads everywhere), GM_EXIT_FINDINGS (somewhere it does not), -1 + err.
 * Against each suite, FILE's libraries beyond glibc are the suite's
 * (cli/target-libs.h) unless host_libs.  own_libdirs: a package's library
 * directories (explain PKG:PATH), searched with it everywhere, or NULL. */
int explain_against_all(const struct gm_ctx *ctx, const char *binary, char *const *own_libdirs,
			const char *arch, bool json, bool host_libs, struct gm_err **err);

#endif
