/* Boundary: glibc 2.35 gave libm's hypot a new, correctly rounded
 * implementation under a new node: hypot@GLIBC_2.35.  Built against older
 * glibc the call binds to hypot@GLIBC_2.2.5. */
#include "../common/probe.h"

#include <math.h>

int main(void)
{
	volatile double a = 3.0, b = 4.0;
	double r;

	probe_report();
	r = hypot(a, b);
	probe_kv("hypot_3_4", "%.6f", r);
	if (r != 5.0)
		probe_fail("hypot(3, 4) = %.17g, expected 5", r);
	probe_kv("result", "ok");
	return 0;
}
