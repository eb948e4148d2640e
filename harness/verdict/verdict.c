#define _GNU_SOURCE
#include "verdict/verdict.h"
#include "base/util.h"

#include <stdlib.h>

void verdict_decide(const struct verdict_input *in, struct gm_verdict *v)
{
	bool by_pred = in->probe || in->by_prediction;
	v->expected = by_pred ? in->predicted : GM_OK;
	v->has_expected_exit = !by_pred;
	v->expected_exit = by_pred ? 0 : in->expect_exit;
	v->mismatch = in->ran && in->predicted != in->observed &&
		      (in->probe || in->predicted != GM_OK ||
		       (in->observed != GM_FAILED && in->observed != GM_TIMEOUT));
	v->unexpected = in->ran && (by_pred ? v->mismatch
					    : in->observed != GM_OK || in->image_broken);
}

enum gm_outcome verdict_predicted(enum gm_outcome loads, int behaviour, char **detail)
{
	if (loads != GM_OK || behaviour == GM_OK)
		return loads;
	free(*detail);
	*detail = xstrdup("the program's own behaviour");
	return (enum gm_outcome)behaviour;
}

enum gm_outcome verdict_observed(bool probe, enum gm_outcome classified, int exit_code,
				 int expect_exit, char **detail)
{
	if (probe)
		return classified;
	if (classified == GM_OK && exit_code != expect_exit) {
		free(*detail);
		*detail = xasprintf("exit %d, expected %d", exit_code, expect_exit);
		return GM_FAILED;
	}
	if (classified == GM_FAILED && exit_code == expect_exit)
		return GM_OK;
	return classified;
}
