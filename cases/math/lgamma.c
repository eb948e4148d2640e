/* Boundary: glibc 2.23 split lgamma from gamma and stopped it from setting
 * signgam in ISO C mode, under a new node: lgamma@GLIBC_2.23.  Any build
 * against >= 2.23 that calls lgamma needs libm's GLIBC_2.23. */
#include "../common/probe.h"

#include <math.h>

int main(void)
{
	volatile double five = 5.0;
	double r;

	probe_report();
	r = lgamma(five);
	probe_kv("lgamma5", "%.9f", r);
	/* lgamma(5) = log(4!) = log(24) */
	if (r < 3.178053829 || r > 3.178053831)
		probe_fail("lgamma(5) = %.17g, expected log(24)", r);
	probe_kv("result", "ok");
	return 0;
}
