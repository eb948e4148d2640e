/* Boundary: glibc 2.39 gave libm's exp10 (a GNU extension in <math.h>,
 * _GNU_SOURCE) a new implementation under a new node: exp10@GLIBC_2.39.
 * Built against older glibc the same call binds to exp10@GLIBC_2.2.5. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <math.h>

int main(void)
{
	volatile double three = 3.0;
	double r;

	probe_report();
	r = exp10(three);
	probe_kv("exp10_3", "%.6f", r);
	if (r < 999.999999 || r > 1000.000001)
		probe_fail("exp10(3) = %.9f, expected 1000", r);
	probe_kv("result", "ok");
	return 0;
}
