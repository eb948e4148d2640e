/* Boundary: glibc 2.25 added the getrandom wrapper (<sys/random.h>):
 * getrandom@GLIBC_2.25.  ENOSYS (Linux < 3.17) is reported as a note. */
#include "../common/probe.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int main(void)
{
	unsigned char buf[16];
	ssize_t n;

	probe_report();
	n = getrandom(buf, sizeof(buf), GRND_NONBLOCK);
	if (n < 0 && errno == ENOSYS) {
		probe_kv("note", "ENOSYS: kernel without getrandom");
		probe_kv("result", "enosys");
		return 0;
	}
	if (n < 0 && errno == EAGAIN) {
		probe_kv("note", "EAGAIN: entropy pool not initialised");
		probe_kv("result", "eagain");
		return 0;
	}
	if (n != (ssize_t)sizeof(buf))
		probe_fail("getrandom returned %zd: %s", n, n < 0 ? strerror(errno) : "short read");
	probe_kv("result", "%zd-bytes", n);
	return 0;
}
