/* Boundary: glibc 2.35 added __memcmpeq (memcmp for equality only).  A GCC
 * >= 12 configured for a glibc >= 2.35 target compiles memcmp(a, b, n) == 0
 * into a call to it, a dependency the source never names.  Debian 12's
 * GCC 12 is not configured that way and keeps calling memcmp, so the probe
 * calls __memcmpeq by name (glibc declares no prototype) to get
 * __memcmpeq@GLIBC_2.35 whatever the compiler does.  Older libc.so.6 lacks
 * the symbol: the probe cannot link against glibc < 2.35. */
#include "../common/probe.h"

#include <stddef.h>

extern int __memcmpeq(const void *a, const void *b, size_t n);

int main(void)
{
	static const char a[] = "glibc-2.35", b[] = "glibc-2.35", c[] = "glibc-2.34";
	volatile size_t n = sizeof(a);

	probe_report();
	if (__memcmpeq(a, b, n) != 0)
		probe_fail("__memcmpeq says equal strings differ");
	if (__memcmpeq(a, c, n) == 0)
		probe_fail("__memcmpeq says different strings are equal");
	probe_kv("result", "equal");
	return 0;
}
