/* Boundary: glibc 2.26 added reallocarray (overflow-checked realloc):
 * reallocarray@GLIBC_2.26.  <stdlib.h> declares it under _DEFAULT_SOURCE
 * from 2.29 on, under _GNU_SOURCE only in 2.26-2.28: without it a build
 * against those headers declares it implicitly, returning int, and the
 * truncated pointer crashes. */
#define _GNU_SOURCE
#include "../common/probe.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int main(void)
{
	volatile size_t huge = SIZE_MAX / 2;
	long *p, *q;

	probe_report();
	p = reallocarray(NULL, 16, sizeof(*p));
	if (p == NULL)
		probe_fail("reallocarray(NULL, 16, %zu) failed", sizeof(*p));
	p[15] = 15;
	errno = 0;
	q = reallocarray(p, huge, 4);
	if (q != NULL || errno != ENOMEM)
		probe_fail("reallocarray did not refuse an overflowing size");
	free(p);
	probe_kv("result", "overflow-refused");
	return 0;
}
