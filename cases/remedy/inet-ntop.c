/* Boundary: glibc 2.42 added __inet_ntop_chk@GLIBC_2.42.  With
 * _FORTIFY_SOURCE and a destination whose size GCC knows, <arpa/inet.h> of
 * glibc >= 2.42 calls it instead of inet_ntop@GLIBC_2.2.5.  Built with
 * -U_FORTIFY_SOURCE (causes.tsv "fortify", the remedy) the plain call stays.
 * The result must be the address written out. */
#include "../common/probe.h"

#include <arpa/inet.h>
#include <string.h>

int main(void)
{
	unsigned char addr[4] = {192, 0, 2, 7};
	char text[INET_ADDRSTRLEN];
	/* A length GCC cannot prove safe: the checked variant is called (a
	 * provably safe one gets the plain call even under fortify). */
	volatile socklen_t len = sizeof text;

	probe_report();
	if (!inet_ntop(AF_INET, addr, text, len))
		probe_fail("inet_ntop failed");
	if (strcmp(text, "192.0.2.7") != 0)
		probe_fail("inet_ntop wrote \"%s\"", text);
	probe_kv("fortify_level", "%d",
#ifdef _FORTIFY_SOURCE
		 _FORTIFY_SOURCE
#else
		 0
#endif
	);
	probe_kv("result", "%s", text);
	return 0;
}
