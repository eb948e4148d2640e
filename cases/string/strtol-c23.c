/* Boundary: glibc 2.38 added C23 strtol semantics (a "0b" prefix is binary
 * with base 0 or 2) as __isoc23_strtol@GLIBC_2.38.  Compiled as C23
 * (-std=c2x with GCC 12, __STDC_VERSION__ > 201710L), <stdlib.h> of glibc
 * >= 2.38 redirects strtol to it; older headers leave strtol@GLIBC_2.2.5.
 * No _GNU_SOURCE here: the redirect must come from the C standard mode.
 * The expected value follows from what the headers chose, so a binary that
 * binds the C23 symbol but parses "0b101" the old way fails. */
#include "../common/probe.h"

#include <stdlib.h>

#if __GLIBC_USE(C23_STRTOL) || __GLIBC_USE(C2X_STRTOL)
#define C23_REDIRECT 1
#else
#define C23_REDIRECT 0
#endif

int main(void)
{
	const char *text = "0b101";
	char *end = NULL;
	long v;

	probe_report();
	v = strtol(text, &end, 0);
	probe_kv("c23_redirect", "%d", C23_REDIRECT);
	probe_kv("strtol_0b101", "%ld", v);
	probe_kv("consumed", "%d", (int)(end - text));
	if (C23_REDIRECT ? (v != 5 || *end != '\0') : (v != 0 || end != text + 1))
		probe_fail("strtol(\"0b101\", 0) = %ld, not what %s semantics give", v,
			   C23_REDIRECT ? "C23" : "pre-C23");
	probe_kv("result", "%s", C23_REDIRECT ? "c23" : "c99");
	return 0;
}
