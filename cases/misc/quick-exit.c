/* Boundary: glibc 2.24 gave quick_exit a new version (quick_exit@GLIBC_2.24:
 * it stopped running destructors of C++ thread_local objects); any build
 * against >= 2.24 calling it needs GLIBC_2.24.  The at_quick_exit handler
 * prints the result, so a quick_exit that skips handlers shows no result. */
#include "../common/probe.h"

#include <stdlib.h>

static void handler(void)
{
	probe_kv("result", "handler-ran");
}

int main(void)
{
	probe_report();
	if (at_quick_exit(handler) != 0)
		probe_fail("at_quick_exit failed");
	quick_exit(0);
}
