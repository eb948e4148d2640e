/* verdict/: the one place where a prediction and an observation become a
 * verdict (expected, mismatch, unexpected), a probe's declared behaviour a
 * prediction and a user's exit status an observation. */
#include "verdict/verdict.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>

static struct gm_verdict judge(bool probe, bool ran, enum gm_outcome p, enum gm_outcome o)
{
	struct verdict_input in = {.probe = probe, .ran = ran, .predicted = p, .observed = o,
				   .expect_exit = 3};
	struct gm_verdict v;
	verdict_decide(&in, &v);
	return v;
}

/* A probe tests the prediction: any difference is a mismatch and
 * unexpected; what it expected is the prediction itself. */
static void probes_test_the_prediction(void)
{
	struct gm_verdict v = judge(true, true, GM_SYMBOL_VERSION, GM_SYMBOL_VERSION);
	TEST_VERIFY(!v.mismatch && !v.unexpected);
	TEST_COMPARE(v.expected, GM_SYMBOL_VERSION);
	TEST_VERIFY(!v.has_expected_exit);
	v = judge(true, true, GM_OK, GM_FAILED);
	TEST_VERIFY(v.mismatch && v.unexpected);
	v = judge(true, true, GM_OK, GM_TIMEOUT);
	TEST_VERIFY(v.mismatch && v.unexpected);
}

/* A user's program is expected to load and exit as asked: one that loaded
 * as predicted and then failed on its own is unexpected, not a mismatch. */
static void user_programs_are_expected_to_work(void)
{
	struct gm_verdict v = judge(false, true, GM_OK, GM_FAILED);
	TEST_VERIFY(!v.mismatch && v.unexpected);
	TEST_COMPARE(v.expected, GM_OK);
	TEST_VERIFY(v.has_expected_exit);
	TEST_COMPARE(v.expected_exit, 3);
	v = judge(false, true, GM_OK, GM_TIMEOUT);
	TEST_VERIFY(!v.mismatch && v.unexpected);
	v = judge(false, true, GM_SYMBOL_VERSION, GM_SYMBOL_VERSION);
	TEST_VERIFY(!v.mismatch && v.unexpected);
	v = judge(false, true, GM_OK, GM_MISSING_LIBRARY);
	TEST_VERIFY(v.mismatch && v.unexpected);
	v = judge(false, true, GM_SYMBOL_VERSION, GM_OK);
	TEST_VERIFY(v.mismatch && !v.unexpected);
}

/* Skipped or unsettled cells are never mismatched nor unexpected. */
static void unrun_cells_judge_nothing(void)
{
	struct gm_verdict v = judge(true, false, GM_OK, GM_SKIPPED);
	TEST_VERIFY(!v.mismatch && !v.unexpected);
	v = judge(false, false, GM_OK, GM_CRASH);
	TEST_VERIFY(!v.mismatch && !v.unexpected);
}

static void behaviour_and_exit_status(void)
{
	char *d = xstrdup("");
	TEST_COMPARE(verdict_predicted(GM_OK, GM_CRASH, &d), GM_CRASH);
	TEST_COMPARE_STRING(d, "the program's own behaviour");
	TEST_COMPARE(verdict_predicted(GM_SYMBOL_VERSION, GM_CRASH, &d), GM_SYMBOL_VERSION);
	TEST_COMPARE(verdict_observed(false, GM_OK, 1, 0, &d), GM_FAILED);
	TEST_COMPARE_STRING(d, "exit 1, expected 0");
	TEST_COMPARE(verdict_observed(false, GM_FAILED, 4, 4, &d), GM_OK);
	TEST_COMPARE(verdict_observed(true, GM_OK, 1, 0, &d), GM_OK);
	TEST_COMPARE(verdict_observed(false, GM_CRASH, 0, 0, &d), GM_CRASH);
	free(d);
}

int main(void)
{
	RUN_TEST(probes_test_the_prediction);
	RUN_TEST(user_programs_are_expected_to_work);
	RUN_TEST(unrun_cells_judge_nothing);
	RUN_TEST(behaviour_and_exit_status);
	TAP_END();
}
