/* libFuzzer target for the case manifest parser (probes/cases.c): cases.ini
 * may come from $GLIBC_MATRIX_CASES, and its case names become store paths:
 * an accepted name that is not store_name_valid() is a finding, and so is a
 * case without sources, node or purpose, or with an invalid min_glibc. */
#define _GNU_SOURCE
#include "probes/cases.h"
#include "store/store.h"
#include "base/util.h"
#include "fuzz-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct gm_cases c;
	struct gm_err *err = NULL;
	if (cases_parse(text, "fuzz.ini", &c, &err) == 0) {
		for (size_t i = 0; i < c.n; i++)
			/* Names are unique, so the first match is this one, and each
			 * is a single safe component: it becomes a store directory. */
			if (cases_find(&c, c.v[i].name) != &c.v[i] || !store_name_valid(c.v[i].name) ||
			    !c.v[i].sources[0] || !c.v[i].node || !c.v[i].exercises ||
			    (c.v[i].min_glibc && !version_valid(c.v[i].min_glibc)))
				abort();
		cases_release(&c);
	}
	gm_err_free(&err);
	free(text);
	return 0;
}
