/* Recipes: the data in sysroots/ (known versions and build quirks).
 * The directory is cfg->recipes (base/config.h: $GLIBC_MATRIX_RECIPES,
 * else sysroots/ beside the glibc-matrix executable, else the installed
 * data directory). */
#ifndef GM_RECIPES_H
#define GM_RECIPES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "base/err.h"
#include "base/tsv.h"

/* Opens file of cfg->recipes: 1 and *t, 0 when there is no such file,
 * -1 + err. */
int recipes_open(const struct gm_config *cfg, const char *file, struct tsv *t,
		 struct gm_err **err);
/* 1 when field i of the row is a glibc version, else -1 + err naming the
 * file and line (tsv_error). */
int recipes_version_field(struct tsv *t, size_t i, struct gm_err **err);

struct recipe {
	char *version;
	char *sha256;
	/* Below the Debian archive's root ("pool/..."), or, when it has no
	 * '/', a file name in the local glibc source directory
	 * (cfg->glibc_src): a release Debian's archive does not have. */
	char *path;
	bool local;
};

/* All known versions, in file order.  _parse reads text, the contents of
 * versions.tsv (file names it in errors; exposed for tests and fuzzing). */
int recipes_versions_parse(const char *text, const char *file, struct recipe **ret,
			   size_t *ret_n, struct gm_err **err);
int recipes_versions(const struct gm_config *cfg, struct recipe **ret, size_t *ret_n, struct gm_err **err);
void recipes_free(struct recipe *v, size_t n);
/* 1 + *ret if known, 0 if not. */
int recipes_find(const struct gm_config *cfg, const char *version, struct recipe *ret, struct gm_err **err);
void recipe_release(struct recipe *r);

/* sysroots/suites.tsv: which Debian suite ships which glibc, for
 * suggestions.  Both return 1 + *ret (caller frees), 0 when not listed or
 * the file is missing, -1 + err when it is malformed. */
int recipes_suite_for_version(const struct gm_config *cfg, const char *version, char **ret, struct gm_err **err);
int recipes_version_of_suite(const struct gm_config *cfg, const char *suite, char **ret, struct gm_err **err);

/* A literal text replacement in one file of the private source copy. */
struct quirk_replace {
	char *file;  /* relative to the source tree, no ".." component */
	char *old;   /* must occur at least once: a miss means the row is stale */
	char *new_text;
};

struct quirks {
	bool stub_manual;
	bool errno_texi;
	char **configure_args;
	struct quirk_replace *replace;
	size_t n_replace;
	char **applied;  /* "when action arg" of each quirk applied, for the manifest/log */
};

/* Quirks that apply to version when the harness runs on host_version.
 * text is the quirks file's contents (exposed for tests); file names the
 * file in errors. */
int quirks_parse(const char *text, const char *file, const char *version,
		 const char *host_version, struct quirks *ret, struct gm_err **err);
int recipes_quirks(const struct gm_config *cfg, const char *version, struct quirks *ret, struct gm_err **err);
void quirks_release(struct quirks *q);

#endif
