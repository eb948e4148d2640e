/* Boundary: glibc 2.7 made strict ISO C modes (-std=c99, no _GNU_SOURCE)
 * redirect the scanf family to __isoc99_sscanf@GLIBC_2.7 and friends (no
 * GNU "%as" extension).  Compiled with -std=c99. */
#include "../common/probe.h"

#include <stdio.h>

int main(void)
{
	int major = 0, minor = 0;

	probe_report();
	if (sscanf("2.7", "%d.%d", &major, &minor) != 2 || major != 2 || minor != 7)
		probe_fail("sscanf parsed %d.%d", major, minor);
	probe_kv("result", "%d.%d", major, minor);
	return 0;
}
