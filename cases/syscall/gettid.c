/* Boundary: glibc 2.30 added the gettid wrapper (<unistd.h>, _GNU_SOURCE):
 * gettid@GLIBC_2.30.  In the initial thread the TID equals the PID. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <unistd.h>

int main(void)
{
	pid_t tid, pid;

	probe_report();
	tid = gettid();
	pid = getpid();
	probe_kv("tid", "%ld", (long)tid);
	if (tid != pid)
		probe_fail("gettid() = %ld, getpid() = %ld in the initial thread",
			   (long)tid, (long)pid);
	probe_kv("result", "tid=pid");
	return 0;
}
