/* Boundary: glibc 2.15 added __fdelt_chk: under _FORTIFY_SOURCE, FD_SET,
 * FD_CLR and FD_ISSET with a descriptor not known at compile time check it
 * against FD_SETSIZE through __fdelt_chk@GLIBC_2.15. */
#include "../common/probe.h"

#include <errno.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

int main(void)
{
	struct timeval tv = { 0, 0 };
	int fds[2];
	fd_set set;
	int rc;

	probe_report();
	if (pipe(fds) != 0)
		probe_fail("pipe: %s", strerror(errno));
	if (write(fds[1], "x", 1) != 1)
		probe_fail("write: %s", strerror(errno));
	FD_ZERO(&set);
	FD_SET(fds[0], &set);
	rc = select(fds[0] + 1, &set, NULL, NULL, &tv);
	if (rc != 1 || !FD_ISSET(fds[0], &set))
		probe_fail("select did not report the readable pipe (rc %d)", rc);
	probe_kv("result", "readable");
	return 0;
}
