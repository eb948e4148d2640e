/* Boundary: _FORTIFY_SOURCE=3 (glibc >= 2.34 headers, GCC >= 12): object
 * sizes come from __builtin_dynamic_object_size, so a copy into a buffer
 * whose size is only known at run time (malloc(n)) also becomes
 * __memcpy_chk@GLIBC_2.3.4; at level 2 it stays memcpy@GLIBC_2.14.  Older
 * headers treat level 3 as 2, so the probe is built from 2.34 on. */
#include "../common/probe.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	static const char src[] = "fortify-3";
	volatile size_t n = sizeof(src);
	char *buf;

	probe_report();
#ifdef __USE_FORTIFY_LEVEL
	probe_kv("fortify_level", "%d", __USE_FORTIFY_LEVEL);
#endif
	buf = (char *)malloc(n);
	if (buf == NULL)
		probe_fail("malloc failed");
	memcpy(buf, src, n);
	if (strcmp(buf, src) != 0)
		probe_fail("got \"%s\"", buf);
	probe_kv("result", "%s", buf);
	free(buf);
	return 0;
}
