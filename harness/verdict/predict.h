/* Static prediction: will a binary load against a run sysroot?
 *
 * The answer comes from the ELF data alone: the version nodes and symbols
 * every object in the process needs (the binary and, transitively, the
 * libraries it pulls in) against what the run sysroot's libraries define.
 * It uses no table of version numbers, so a distribution's backported node
 * in an "older" glibc is handled correctly. */
#ifndef GM_PREDICT_H
#define GM_PREDICT_H

#include <stddef.h>

#include "base/err.h"
#include "verdict/outcome.h"
#include "store/sysroot.h"

struct gm_problem {
	enum gm_outcome kind;
	char *object;     /* path of the object that needs it */
	char *library;    /* the needed library's file name */
	char *node;       /* version node, NULL for a missing library */
	char **symbols;   /* symbols bound to that node that will not resolve */
};

struct gm_prediction {
	enum gm_outcome outcome;
	char *detail;               /* "GLIBC_2.34", "libfoo.so.1", reason text */
	struct gm_problem *problems;
	size_t n_problems;
	/* Libraries beyond glibc found in the host's directories: not in the
	 * run sysroot, and not through the object's own RPATH/RUNPATH (a
	 * bundled library is the application's). */
	char **host_libs;
	/* Every object the loader maps besides the binary and itself, in load
	 * order, as "FROM PATH": FROM is "sysroot" (a directory of the run
	 * sysroot), "bundle" (the binary's own RPATH/RUNPATH/$ORIGIN) or
	 * "host" (anything else: the host's directories, --library-path). */
	char **libraries;
	char *binary_floor;         /* the binary's own glibc floor, or NULL */
};

/* The process a method starts, as the loader will assemble it. */
struct predict_env {
	const char *interp;          /* the ld.so that runs: an explicit loader, or PT_INTERP */
	char *const *library_path;   /* --library-path or LD_LIBRARY_PATH: searched for every object */
	char *const *main_runpath;   /* RUNPATH a method gave the binary (NULL: the binary's own) */
	char *const *system_dirs;    /* the interp's built-in directories */
	char *const *dlopened;       /* objects the program loads at run time (plugins) */
	const char *interp_glibc;    /* the glibc version of interp, if known */
	char *const *sysroot_dirs;   /* the run sysroot's libdirs: what is found there is the
				      * sysroot's, not the host's (host_libs) */
	char *const *runtime;        /* "library:symbol" glibc loads at run time (NSS), and
				      * "gconv:MODULE" (a gconv module file) */
	/* Where the running libc looks for its gconv modules, as host paths
	 * (its compiled-in directory as the process sees it); NULL: its own
	 * modules are where it looks, not checked. */
	char *const *gconv_dirs;
	/* Directories (real paths) that show covered_by's contents where the
	 * process runs (exec/confine.h confine_cover: a suite's own
	 * libraries): a RUNPATH naming one searches those instead. */
	char *const *covered, *const *covered_by;
	/* The method puts a glibc under the binary (an explicit loader, a
	 * library path, a patched PT_INTERP or RUNPATH): a static executable,
	 * which carries its own libc, is then GM_SKIPPED (PREDICT_STATIC_SKIP),
	 * as `check` skips it; false: the binary runs as it is (the host method,
	 * a root filesystem's own glibc). */
	bool swaps_glibc;
	/* interp runs as a program ("ld.so BINARY", the loader method), not as
	 * the binary's PT_INTERP. */
	bool explicit_loader;
};

/* Why a static executable is not a subject of a method that swaps the glibc:
 * the detail of its GM_SKIPPED prediction and of `check`'s skipped cell.
 * Not only moot: an explicit 2.31 ld.so segfaults on a static executable. */
#define PREDICT_STATIC_SKIP "static executable: it carries its own libc; methods that swap " \
			    "the glibc do not apply"

/* Simulates loading binary under env: maps DT_NEEDED breadth-first with the
 * loader's search order (RPATH, library path, RUNPATH, system directories;
 * libraries of another machine are skipped; a library already loaded under
 * that soname, the loader itself included, is reused), then checks every
 * object's version requirements against the object that satisfies them and
 * every versioned symbol against the definitions in the process. */
int predict_process(const char *binary, const struct predict_env *env,
		    struct gm_prediction *ret, struct gm_err **err);

/* Predicts the explicit-loader method: binary run by run->loader with
 * --library-path run->libdirs (a static executable: GM_SKIPPED).  Libraries that are not glibc's are looked
 * up as the host would find them (DT_RPATH/DT_RUNPATH with $ORIGIN, then
 * the host's default directories).  Returns 0 and fills *ret, or -1 + err
 * when the binary cannot be read (missing: GM_EXIT_USAGE; malformed:
 * GM_EXIT_USAGE too). */
int predict_loader(const char *binary, const struct sysroot *run, struct gm_prediction *ret,
		   struct gm_err **err);
/* As predict_loader, with the run sysroot as the whole system: its suite's
 * libraries beyond glibc are in it (cli/target-libs.h), so the binary's
 * own RUNPATH comes first, then the sysroot's directories where a
 * distribution's loader searches its own, and nothing of the host's. */
int predict_target(const char *binary, const struct sysroot *run, struct gm_prediction *ret,
		   struct gm_err **err);
/* predict_loader (whole false) or predict_target (true) with a package's
 * own library directories (cli explain PKG:PATH): after the sysroot's in
 * the library path, or among a whole system's directories, after its
 * own; none against the host. */
int predict_dirs(const char *binary, const struct sysroot *run, bool whole, char *const *extra,
		 struct gm_prediction *ret, struct gm_err **err);
/* path names a file directly in one of dirs (not in a subdirectory). */
bool path_directly_in(const char *path, char *const *dirs);

void prediction_release(struct gm_prediction *p);
/* Frees an array of n problems (one a cell took from a prediction). */
void problems_free(struct gm_problem *v, size_t n);

#endif
