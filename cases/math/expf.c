/* Boundary: glibc 2.27 replaced libm's single-precision expf, logf, powf
 * (and exp2f, log2f) under new version nodes: expf@GLIBC_2.27 etc.  Built
 * against >= 2.27 a float math call needs libm's GLIBC_2.27. */
#include "../common/probe.h"

#include <math.h>

static int nearf(float got, float want)
{
	float d = got - want;
	return d < 1e-5f && d > -1e-5f;
}

int main(void)
{
	volatile float one = 1.0f, two = 2.0f, ten = 10.0f;
	float e, l, p;

	probe_report();
	e = expf(one);
	l = logf(ten);
	p = powf(two, ten);
	probe_kv("expf1", "%.5f", (double)e);
	probe_kv("logf10", "%.5f", (double)l);
	probe_kv("powf2_10", "%.1f", (double)p);
	if (!nearf(e, 2.7182818f) || !nearf(l, 2.3025851f) || !nearf(p, 1024.0f))
		probe_fail("libm returned wrong values");
	probe_kv("result", "ok");
	return 0;
}
