/* Test-only: reports, then waits for signals forever, so the harness's
 * "timeout" class and process-group kill can be tested. */
#include "../common/probe.h"

#include <unistd.h>

int main(void)
{
	probe_report();
	probe_kv("state", "hanging");
	for (;;)
		pause();
}
