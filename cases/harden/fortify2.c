/* Boundary: _FORTIFY_SOURCE=2.  At -O2, copies into objects of known size
 * become checked calls: memcpy -> __memcpy_chk, snprintf ->
 * __snprintf_chk, printf -> __printf_chk, all @GLIBC_2.3.4.  Compiled with
 * -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2. */
#include "../common/probe.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	static const char src[] = "fortified";
	char buf[16];
	char line[32];
	volatile size_t n = sizeof(src);

	probe_report();
#ifdef __USE_FORTIFY_LEVEL
	probe_kv("fortify_level", "%d", __USE_FORTIFY_LEVEL);
#endif
	memcpy(buf, src, n);
	snprintf(line, sizeof(line), "%s-%d", buf, 2);
	if (strcmp(line, "fortified-2") != 0)
		probe_fail("got \"%s\"", line);
	probe_kv("result", "%s", line);
	return 0;
}
