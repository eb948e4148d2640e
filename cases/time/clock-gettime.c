/* Boundary: glibc 2.17 moved clock_gettime from librt into libc under a new
 * node: built against >= 2.17 without -lrt, clock_gettime@GLIBC_2.17. */
#include "../common/probe.h"

#include <errno.h>
#include <string.h>
#include <time.h>

int main(void)
{
	struct timespec a, b;

	probe_report();
	if (clock_gettime(CLOCK_MONOTONIC, &a) != 0 || clock_gettime(CLOCK_MONOTONIC, &b) != 0)
		probe_fail("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
	if (b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec))
		probe_fail("CLOCK_MONOTONIC went backwards");
	probe_kv("result", "monotonic");
	return 0;
}
