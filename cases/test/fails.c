/* Test-only: loads and runs, then reports a run-time failure (exit 3, a
 * message on stderr), so the harness's "failed" class can be tested. */
#include "../common/probe.h"

int main(void)
{
	probe_report();
	probe_fail_status(3, "this probe always fails (test-only)");
}
