/* The verdict of a cell: what was expected of it, and whether it did
 * that.  Every rule that turns a prediction and an observation into a
 * verdict is here, and nowhere else:
 *   - a probe's declared behaviour once it loads (a test probe's crash,
 *     hang or failure) is its predicted outcome (verdict_predicted);
 *   - a user's program that loaded is judged by its exit status
 *     (verdict_observed);
 *   - expected, mismatch and unexpected (verdict_decide).
 * The results document writes the verdict and readers read it back. */
#ifndef GM_VERDICT_H
#define GM_VERDICT_H

#include <stdbool.h>

#include "verdict/outcome.h"

struct gm_verdict {
	/* What the cell should do: a probe, what the ELF data predicts (the
	 * matrix tests the prediction); a user's program, load and exit with
	 * expected_exit. */
	enum gm_outcome expected;
	bool has_expected_exit;     /* false for probes */
	int expected_exit;
	/* The prediction was wrong: predicted and observed class differ (a
	 * user's program that loaded as predicted and then failed or timed
	 * out on its own is not a mismatch). */
	bool mismatch;
	/* The cell did not do what was expected (for a probe, a mismatch);
	 * a skipped or unsettled cell never is. */
	bool unexpected;
};

/* What judging a cell needs. */
struct verdict_input {
	bool probe;
	/* Judged by its prediction as a probe is, though not a probe: an
	 * image's own program in the probe matrix, where a negative control
	 * breaks the image on purpose. */
	bool by_prediction;
	/* The image the cell ran in was broken by its method: its own
	 * programs (cells of their own) did not all run.  A user's program
	 * then did not do what was expected, whatever it did itself. */
	bool image_broken;
	bool ran;                   /* settled and not skipped */
	enum gm_outcome predicted, observed;
	int expect_exit;            /* a user's program */
};

void verdict_decide(const struct verdict_input *in, struct gm_verdict *ret);

/* The prediction of a program that loads and then does what it does:
 * behaviour (GM_OK unless a test probe says otherwise) replaces an OK
 * prediction; *detail (owned, may be replaced) says so. */
enum gm_outcome verdict_predicted(enum gm_outcome loads, int behaviour, char **detail);

/* A user's program's class by its exit status: loaded (GM_OK) but not
 * with expect_exit is GM_FAILED, "failed" with expect_exit is GM_OK;
 * *detail (owned, may be replaced) says which status it was.  Probes
 * report their own class: unchanged. */
enum gm_outcome verdict_observed(bool probe, enum gm_outcome classified, int exit_code,
				 int expect_exit, char **detail);

#endif
