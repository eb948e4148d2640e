/* Boundary: start-up code.  Every dynamic executable calls
 * __libc_start_main from crt1.o; built against glibc >= 2.34 that reference
 * is __libc_start_main@GLIBC_2.34 (the new start-up protocol), before it is
 * @GLIBC_2.2.5.  Nothing else is used, so this is the floor every other
 * probe shares. */
#include "../common/probe.h"

int main(void)
{
	probe_report();
	probe_kv("result", "hello");
	return 0;
}
