/* Boundary: glibc 2.41 added sched_getattr and sched_setattr with struct
 * sched_attr (<sched.h>, _GNU_SOURCE): sched_getattr@GLIBC_2.41.  Older
 * headers do not declare them.  ENOSYS (Linux < 3.14) is a note. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

int main(void)
{
	struct sched_attr attr;

	probe_report();
	memset(&attr, 0, sizeof(attr));
	if (sched_getattr(0, &attr, sizeof(attr), 0) != 0) {
		if (errno == ENOSYS) {
			probe_kv("note", "ENOSYS: kernel without sched_getattr");
			probe_kv("result", "enosys");
			return 0;
		}
		probe_fail("sched_getattr: %s", strerror(errno));
	}
	probe_kv("policy", "%u", (unsigned)attr.sched_policy);
	if (attr.size == 0)
		probe_fail("sched_getattr left size 0");
	probe_kv("result", "policy=%u", (unsigned)attr.sched_policy);
	return 0;
}
