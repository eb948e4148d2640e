/* Boundary: glibc 2.29 replaced libm's exp, log, pow (and exp2, log2) with
 * new implementations under new version nodes: exp@GLIBC_2.29 etc.  A binary
 * built against >= 2.29 calling them needs libm's GLIBC_2.29; built against
 * older glibc it binds to @GLIBC_2.2.5.  The inputs are volatile so GCC
 * cannot fold the calls into constants. */
#include "../common/probe.h"

#include <math.h>

static int near(double got, double want)
{
	double d = got - want;
	return d < 1e-9 && d > -1e-9;
}

int main(void)
{
	volatile double one = 1.0, two = 2.0, ten = 10.0;
	double e, l, p;

	probe_report();
	e = exp(one);
	l = log(ten);
	p = pow(two, ten);
	probe_kv("exp1", "%.9f", e);
	probe_kv("log10", "%.9f", l);
	probe_kv("pow2_10", "%.1f", p);
	if (!near(e, 2.718281828459045) || !near(l, 2.302585092994046) || !near(p, 1024.0))
		probe_fail("libm returned wrong values");
	probe_kv("result", "ok");
	return 0;
}
