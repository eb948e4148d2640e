/* libFuzzer target for the recipe files (store/recipes.c): versions.tsv and
 * quirks.tsv, both of which $GLIBC_MATRIX_RECIPES can point anywhere.  Each
 * input is read as both, the quirks for an old and a new glibc. */
#define _GNU_SOURCE
#include "store/recipes.h"
#include "base/util.h"
#include "fuzz-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct gm_err *err = NULL;
	struct recipe *v;
	size_t n;
	struct quirks q;

	if (recipes_versions_parse(text, "versions.tsv", &v, &n, &err) == 0) {
		/* What the builder trusts: a version and a 64-hex digest. */
		for (size_t i = 0; i < n; i++)
			if (!version_valid(v[i].version) || strlen(v[i].sha256) != 64 || !*v[i].path)
				abort();
		recipes_free(v, n);
	}
	gm_err_free(&err);
	if (quirks_parse(text, "quirks.tsv", "2.31", "2.40", &q, &err) == 0) {
		/* Each applied quirk is recorded, once. */
		if (strv_len(q.applied) < strv_len(q.configure_args))
			abort();
		quirks_release(&q);
	}
	gm_err_free(&err);
	if (quirks_parse(text, "quirks.tsv", "2.44", "2.31", &q, &err) == 0)
		quirks_release(&q);
	gm_err_free(&err);
	free(text);
	return 0;
}
