/* Routes ("methods"): the ways people run a binary against a glibc other than
 * the one it was built on.  One struct per route behind one interface:
 * prepare (copy and patch the binary if the route needs it, then the argv and
 * environment that run it) and predict (the outcome the ELF data implies for
 * the process that route assembles).
 *
 *   host    as built: the binary's own PT_INTERP and the host's libraries
 *   loader  run->loader --inhibit-cache --library-path <run libdirs> [--argv0] BINARY
 *   interp  a copy with PT_INTERP = run->loader and RUNPATH = run libdirs
 *   rpath   a copy with RUNPATH = run libdirs only: the host's loader stays
 *   env     LD_LIBRARY_PATH = run libdirs: the classic mistake, a negative control */
#ifndef GM_METHODS_H
#define GM_METHODS_H

#include <stdbool.h>

#include "verdict/classify.h"
#include "base/err.h"
#include "verdict/predict.h"
#include "store/sysroot.h"

struct method_ctx {
	const char *binary;         /* what to run (absolute) */
	char *const *companions;    /* files that travel with a patched copy (plugin.so) */
	char *const *runtime;       /* "library:symbol" glibc loads at run time */
	const struct sysroot *run;  /* the glibc to run against (the host for `host`) */
	char *const *extra_libdirs; /* searched after the run sysroot's (host libraries a
				     * user's binary needs beyond glibc) */
	const char *workdir;        /* scratch for copies (created when needed) */
	char *const *args;          /* program arguments */
	char *const *dlopened;      /* objects the program loads at run time, for predict */
	bool lazy;                  /* false: LD_BIND_NOW=1, every symbol bound at start */
};

struct method_cmd {
	char **argv;
	char **env;                 /* proc_spec.env delta */
	struct run_expect expect;   /* what a probe must report */
};

struct method {
	const char *name;
	const char *summary;
	bool runs_on_host;          /* the run axis is the host glibc only */
	int (*prepare)(const struct method_ctx *mc, struct method_cmd *ret, struct gm_err **err);
	int (*predict)(const struct method_ctx *mc, struct gm_prediction *ret, struct gm_err **err);
};

const struct method *method_find(const char *name);
/* NULL-terminated table of every route, in report order. */
const struct method *const *method_all(void);
void method_cmd_release(struct method_cmd *c);

/* Does this loader accept --argv0 (glibc >= 2.33)?  Asked once per loader. */
bool loader_has_argv0(const char *loader);

#endif
