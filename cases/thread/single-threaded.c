/* Boundary: glibc 2.32 added the data object __libc_single_threaded
 * (<sys/single_threaded.h>), which libstdc++ >= 11 reads for reference
 * counting.  Reading it makes the executable copy-relocate the variable
 * __libc_single_threaded@GLIBC_2.32: a versioned data symbol, not a call. */
#include "../common/probe.h"

#include <sys/single_threaded.h>

int main(void)
{
	probe_report();
	probe_kv("single_threaded", "%d", (int)__libc_single_threaded);
	/* main() of a process that started no thread must see true. */
	if (!__libc_single_threaded)
		probe_fail("__libc_single_threaded is false in a single-threaded process");
	probe_kv("result", "single");
	return 0;
}
