/* Boundary: glibc 2.33 added mallinfo2 (size_t fields, unlike mallinfo's
 * int), declared in <malloc.h> from 2.33 on: mallinfo2@GLIBC_2.33. */
#include "../common/probe.h"

#include <malloc.h>
#include <stdlib.h>

int main(void)
{
	struct mallinfo2 mi;
	void *volatile p;

	probe_report();
	p = malloc(100000);
	if (p == NULL)
		probe_fail("malloc failed");
	mi = mallinfo2();
	free(p);
	if (mi.uordblks + mi.hblkhd < 100000)
		probe_fail("mallinfo2 reports %zu bytes in use, expected >= 100000",
			   mi.uordblks + mi.hblkhd);
	probe_kv("result", "in-use>=100000");
	return 0;
}
