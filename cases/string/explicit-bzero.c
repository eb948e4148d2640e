/* Boundary: glibc 2.25 added explicit_bzero (<string.h>, _DEFAULT_SOURCE):
 * explicit_bzero@GLIBC_2.25, or __explicit_bzero_chk@GLIBC_2.25 when the
 * harness adds _FORTIFY_SOURCE. */
#include "../common/probe.h"

#include <string.h>

int main(void)
{
	char secret[16] = "hunter2";
	size_t i;

	probe_report();
	explicit_bzero(secret, sizeof(secret));
	for (i = 0; i < sizeof(secret); i++)
		if (secret[i] != 0)
			probe_fail("byte %zu not cleared", i);
	probe_kv("result", "cleared");
	return 0;
}
