/* What the route files share: the library directories a route hands the
 * loader, the clean environment every cell starts from, patched copies,
 * and the prediction of the process a route assembles.  Internal to
 * routes/. */
#ifndef GM_ROUTES_COMMON_H
#define GM_ROUTES_COMMON_H

#include "routes/route.h"

/* The run sysroot's library directories, then the extra ones. */
char **route_lib_dirs(const struct route_ctx *rc);
/* "a:b:c" */
char *route_join_colon(char *const *v);
/* Environment every route starts from: nothing inherited that changes how
 * the loader searches, and (unless lazy) every symbol bound at start-up. */
char **route_base_env(const struct route_ctx *rc);
/* GCONV_PATH to a distribution sysroot's own modules (none for source). */
void route_push_data_env(char ***env, const struct sysroot *run);
/* The run sysroot's own gconv directory (libdir/gconv with a
 * gconv-modules file), or NULL. */
char *route_gconv_dir(const struct sysroot *run);
void route_push_args(char ***argv, const struct route_ctx *rc);
/* A copy of the binary in rc->workdir with PT_INTERP = interp (NULL: keep)
 * and RUNPATH = route_lib_dirs(rc), its companions beside it.  0 and *ret;
 * ROUTE_REFUSED with c->refusal when the patcher refuses the file (it
 * cannot be patched: elfpatch's usage errors); -1 + err. */
int route_patched_copy(const struct route_ctx *rc, const char *interp, struct route_cmd *c,
		       char **ret, struct gm_err **err);
/* The patched copy alone, at out: 0, ROUTE_REFUSED with c->refusal, or
 * -1 + err, as route_patched_copy. */
int route_patch_to(const struct route_ctx *rc, const char *interp, const char *runpath,
		   const char *out, struct route_cmd *c, struct gm_err **err);
/* The same with an explicit RUNPATH (a route whose directories are seen
 * under other names where the copy runs). */
int route_patched_copy_at(const struct route_ctx *rc, const char *interp, const char *runpath,
			  struct route_cmd *c, char **ret, struct gm_err **err);
/* prepare of the routes that run a patched copy: the copy (PT_INTERP =
 * interp unless NULL, RUNPATH = the run sysroot's directories), run as is
 * (ROUTE_REFUSED as route_patched_copy). */
int route_prepare_copy(const struct route_ctx *rc, const char *interp, struct route_cmd *c,
		       struct gm_err **err);
/* The probe must report the run sysroot's version and libc. */
void route_expect_run(const struct route_ctx *rc, struct route_cmd *c);

/* Where a route puts the run sysroot's directories. */
enum route_search {
	SEARCH_NONE,     /* nowhere: the binary as built */
	SEARCH_LIBPATH,  /* --library-path or LD_LIBRARY_PATH: every object */
	SEARCH_RUNPATH,  /* the binary's RUNPATH: its own DT_NEEDED only */
};

/* Predicts the process: the sysroot's loader (own_loader false) or the
 * binary's own PT_INTERP, with the directories placed as where says. */
int route_predict(const struct route_ctx *rc, bool own_loader, enum route_search where,
		  struct gm_prediction *p, struct gm_err **err);

#endif
