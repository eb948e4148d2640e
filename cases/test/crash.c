/* Test-only: dies of SIGSEGV after reporting, so the harness's "crash"
 * class can be tested.  Both the pointer and the store are volatile: GCC
 * can neither see that the pointer is NULL (and emit a trap instruction,
 * SIGILL) nor drop the store. */
#include "../common/probe.h"

int main(void)
{
	volatile int *volatile target = 0;

	probe_report();
	*target = 42;
	probe_fail("write through NULL did not fault");
}
