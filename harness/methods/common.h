/* What the method files share: the library directories a method hands the
 * loader, the clean environment every cell starts from, patched copies,
 * and the prediction of the process a method assembles.  Internal to
 * methods/. */
#ifndef GM_METHODS_COMMON_H
#define GM_METHODS_COMMON_H

#include "methods/method.h"

/* The run sysroot's library directories, then the extra ones. */
char **method_lib_dirs(const struct method_ctx *rc);
/* "a:b:c" */
char *method_join_colon(char *const *v);
/* Environment every method starts from: nothing inherited that changes how
 * the loader searches, and (unless lazy) every symbol bound at start-up. */
char **method_base_env(const struct method_ctx *rc);
/* GCONV_PATH to a distribution sysroot's own modules (none for source). */
void method_push_data_env(char ***env, const struct sysroot *run);
/* The run sysroot's own gconv directory (libdir/gconv with a
 * gconv-modules file), or NULL. */
char *method_gconv_dir(const struct sysroot *run);
void method_push_args(char ***argv, const struct method_ctx *rc);
/* A copy of the binary in rc->workdir with PT_INTERP = interp (NULL: keep)
 * and RUNPATH = method_lib_dirs(rc), its companions beside it.  0 and *ret;
 * METHOD_REFUSED with c->refusal when the patcher refuses the file (it
 * cannot be patched: elfpatch's usage errors); -1 + err. */
int method_patched_copy(const struct method_ctx *rc, const char *interp, struct method_cmd *c,
		       char **ret, struct gm_err **err);
/* The patched copy alone, at out: 0, METHOD_REFUSED with c->refusal, or
 * -1 + err, as method_patched_copy. */
int method_patch_to(const struct method_ctx *rc, const char *interp, const char *runpath,
		   const char *out, struct method_cmd *c, struct gm_err **err);
/* The same with an explicit RUNPATH (a method whose directories are seen
 * under other names where the copy runs). */
int method_patched_copy_at(const struct method_ctx *rc, const char *interp, const char *runpath,
			  struct method_cmd *c, char **ret, struct gm_err **err);
/* prepare of the methods that run a patched copy: the copy (PT_INTERP =
 * interp unless NULL, RUNPATH = the run sysroot's directories), run as is
 * (METHOD_REFUSED as method_patched_copy). */
int method_prepare_copy(const struct method_ctx *rc, const char *interp, struct method_cmd *c,
		       struct gm_err **err);
/* The probe must report the run sysroot's version and libc. */
void method_expect_run(const struct method_ctx *rc, struct method_cmd *c);

/* Where a method puts the run sysroot's directories. */
enum method_search {
	SEARCH_NONE,     /* nowhere: the binary as built */
	SEARCH_LIBPATH,  /* --library-path or LD_LIBRARY_PATH: every object */
	SEARCH_RUNPATH,  /* the binary's RUNPATH: its own DT_NEEDED only */
};

/* Predicts the process: the sysroot's loader (own_loader false) or the
 * binary's own PT_INTERP, with the directories placed as where says. */
int method_predict(const struct method_ctx *rc, bool own_loader, enum method_search where,
		  struct gm_prediction *p, struct gm_err **err);

#endif
