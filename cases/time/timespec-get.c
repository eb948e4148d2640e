/* Boundary: glibc 2.16 added C11 timespec_get (<time.h>):
 * timespec_get@GLIBC_2.16. */
#include "../common/probe.h"

#include <time.h>

int main(void)
{
	struct timespec ts = { 0, 0 };

	probe_report();
	if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
		probe_fail("timespec_get(TIME_UTC) failed");
	if (ts.tv_sec < 1000000000)
		probe_fail("timespec_get returned %lld s", (long long)ts.tv_sec);
	probe_kv("result", "utc");
	return 0;
}
