/* Boundary: glibc 2.14 gave memcpy a new version (memcpy@GLIBC_2.14, the
 * overlap-semantics change); every build against >= 2.14 that calls memcpy
 * out of line needs it.  The length is volatile so GCC cannot inline it.
 * common/probe.c avoids memcpy so that only this probe carries the node. */
#include "../common/probe.h"

#include <string.h>

int main(void)
{
	static const char src[] = "memcpy-2.14";
	char dst[sizeof(src)];
	volatile size_t n = sizeof(src);

	probe_report();
	memcpy(dst, src, n);
	if (strcmp(dst, src) != 0)
		probe_fail("memcpy copied \"%s\"", dst);
	probe_kv("result", "%s", dst);
	return 0;
}
