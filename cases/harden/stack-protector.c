/* Boundary: glibc 2.4 added __stack_chk_fail: with -fstack-protector-all
 * every function with a stack frame checks its canary and calls
 * __stack_chk_fail@GLIBC_2.4 on corruption (the reference is there whether
 * or not it is ever called). */
#include "../common/probe.h"

#include <stdio.h>
#include <string.h>

static int fill(char *buf, size_t size, const char *what)
{
	return snprintf(buf, size, "%s", what);
}

int main(void)
{
	char buf[64];

	probe_report();
	if (fill(buf, sizeof(buf), "canary-intact") <= 0 || strcmp(buf, "canary-intact") != 0)
		probe_fail("buffer holds \"%s\"", buf);
	probe_kv("result", "%s", buf);
	return 0;
}
