/* What `build --for` hands the user's build (cmd-build.c): the environment
 * that builds against a sysroot for every common build system, and the ELF
 * files a build wrote. */
#ifndef GM_BUILD_ENV_H
#define GM_BUILD_ENV_H

#include <stdio.h>
#include <time.h>

#include "base/config.h"
#include "base/err.h"
#include "store/sysroot.h"

/* "K=V" entries for s (toolchain_for, TOOLCHAIN_PORTABLE): CC and CXX with
 * their flags, cargo's link arguments, cgo's variables, pkg-config's
 * directories. */
int build_env(const struct gm_config *cfg, const struct sysroot *s, char ***ret,
	      struct gm_err **err);

/* One shell `export K='V'` line each. */
void build_env_print(FILE *f, char *const *env);

/* The regular ELF executables and shared objects under dir (symbolic links not followed), sorted;
 * since non-NULL: only those modified at or after it.  Not below .git or a
 * directory holding a results.json (a check's report, its patched copies). */
char **build_outputs(const char *dir, const struct timespec *since);

#endif
