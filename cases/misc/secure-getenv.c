/* Boundary: glibc 2.17 added secure_getenv (<stdlib.h>, _GNU_SOURCE):
 * secure_getenv@GLIBC_2.17.  The probe is not set-uid, so it must see a
 * variable it set itself. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	const char *v;

	probe_report();
	if (setenv("GLIBC_MATRIX_PROBE", "2.17", 1) != 0)
		probe_fail("setenv failed");
	v = secure_getenv("GLIBC_MATRIX_PROBE");
	if (v == NULL || strcmp(v, "2.17") != 0)
		probe_fail("secure_getenv returned %s", v ? v : "NULL");
	probe_kv("result", "%s", v);
	return 0;
}
