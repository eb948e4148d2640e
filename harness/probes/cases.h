/* Probe cases: cases/cases.ini, one section per probe.
 *
 *   [name]
 *   lang = c | c++
 *   sources = a.c b.c          (relative to the cases directory)
 *   cflags = ...               ldflags = ...
 *   plugin = p.c               plugin_cflags = ...
 *   library = l.c              (built as PROBE_LIBRARY, linked by the probe:
 *                              DT_NEEDED, no RUNPATH; see probes.h)
 *   min_glibc = 2.38           (oldest glibc whose headers build it)
 *   node = GLIBC_2.38 | none   test_only = yes | no
 *   exercises = one line
 *   behaviour = crash | timeout | failed
 *             (what the program itself does once it runs: test-only probes)
 *   runtime = libnss_files.so.2:_nss_files_getpwnam_r ...
 *             (modules glibc loads at run time by name, and the symbol it
 *             looks up in them; not loaded when libc itself defines the
 *             symbol, as libc >= 2.34 does for the files backend);
 *             gconv:MODULE is a module file of the gconv directory
 *
 * A case name is a store name (store_name_valid): it names a directory.
 * Every probe also gets common/probe.c, which prints glibc= and libc=. */
#ifndef GM_CASES_H
#define GM_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "base/err.h"

struct gm_case {
	char *name;
	bool cxx;
	char **sources;
	char **cflags;
	char **ldflags;
	char *plugin;         /* NULL if none */
	char **plugin_cflags;
	char *library;        /* NULL if none */
	char *min_glibc;      /* NULL: any */
	char *node;           /* "GLIBC_2.34", "none" */
	bool test_only;
	/* C++: built as `flags --portable --c++` builds, with the sysroot's
	 * libstdc++ headers and library (a remedy probe). */
	bool portable;
	char *exercises;
	char **runtime;       /* "library:symbol" */
	int behaviour;        /* enum gm_outcome once loaded: GM_OK unless a test probe */
};

struct gm_cases {
	char *dir;            /* absolute cases directory */
	struct gm_case *v;
	size_t n;
};

/* Parses text (the manifest at file, for messages); errors name the line. */
int cases_parse(const char *text, const char *file, struct gm_cases *ret, struct gm_err **err);
/* cfg->cases/cases.ini ($GLIBC_MATRIX_CASES, else cases/ beside the binary). */
int cases_load(const struct gm_config *cfg, struct gm_cases *ret, struct gm_err **err);
void cases_release(struct gm_cases *c);
const struct gm_case *cases_find(const struct gm_cases *c, const char *name);

#endif
