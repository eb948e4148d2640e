/* Boundary: glibc 2.38 added strlcpy and strlcat (<string.h>,
 * _DEFAULT_SOURCE): strlcpy@GLIBC_2.38.  Older headers do not declare them,
 * so the probe needs 2.38 headers. */
#include "../common/probe.h"

#include <string.h>

int main(void)
{
	char buf[8];
	size_t n;

	probe_report();
	n = strlcpy(buf, "glibc", sizeof(buf));
	if (n != 5 || strcmp(buf, "glibc") != 0)
		probe_fail("strlcpy returned %zu, buffer \"%s\"", n, buf);
	n = strlcat(buf, "-2.38", sizeof(buf));
	if (n != 10 || strcmp(buf, "glibc-2") != 0)
		probe_fail("strlcat returned %zu, buffer \"%s\", expected 10 and \"glibc-2\"", n, buf);
	probe_kv("result", "%s", buf);
	return 0;
}
