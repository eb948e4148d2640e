/* Boundary: glibc 2.42 introduced a new termios speed API under new nodes:
 * cfsetospeed, cfgetospeed, cfsetispeed, cfgetispeed and cfsetspeed
 * @GLIBC_2.42.  Built against >= 2.42 these calls need GLIBC_2.42; older
 * builds bind to @GLIBC_2.2.5.  No terminal is needed: the speeds are set
 * and read back in a struct termios in memory. */
#include "../common/probe.h"

#include <termios.h>

int main(void)
{
	struct termios t = { 0 };

	probe_report();
	/* One speed for both directions: glibc < 2.42 keeps a single speed
	 * in c_cflag on Linux, so split speeds would not read back. */
	if (cfsetospeed(&t, B9600) != 0 || cfsetispeed(&t, B9600) != 0)
		probe_fail("cfset[io]speed refused B9600");
	if (cfgetospeed(&t) != B9600 || cfgetispeed(&t) != B9600)
		probe_fail("speeds read back as %lu/%lu, expected %lu",
			   (unsigned long)cfgetospeed(&t), (unsigned long)cfgetispeed(&t),
			   (unsigned long)B9600);
	probe_kv("result", "9600");
	return 0;
}
