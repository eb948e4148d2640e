/* Boundary: glibc 2.36 added arc4random, arc4random_buf and
 * arc4random_uniform (<stdlib.h>, _DEFAULT_SOURCE): arc4random@GLIBC_2.36.
 * Older headers do not declare them. */
#include "../common/probe.h"

#include <stdint.h>
#include <stdlib.h>

int main(void)
{
	unsigned char buf[32] = { 0 };
	uint32_t u, any = 0;
	size_t i;

	probe_report();
	u = arc4random_uniform(100);
	if (u >= 100)
		probe_fail("arc4random_uniform(100) returned %u", (unsigned)u);
	arc4random_buf(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		any |= buf[i];
	any |= arc4random();
	if (any == 0)
		probe_fail("arc4random produced only zeros");
	probe_kv("result", "random");
	return 0;
}
