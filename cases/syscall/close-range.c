/* Boundary: glibc 2.34 added the close_range wrapper (<unistd.h>,
 * _GNU_SOURCE): close_range@GLIBC_2.34.  Older headers do not declare it.
 * ENOSYS (Linux < 5.9) is reported as a note. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int fds[2];

	probe_report();
	if (pipe(fds) != 0)
		probe_fail("pipe: %s", strerror(errno));
	if (close_range((unsigned)fds[0], (unsigned)fds[1], 0) != 0) {
		if (errno == ENOSYS) {
			probe_kv("note", "ENOSYS: kernel without close_range");
			probe_kv("result", "enosys");
			return 0;
		}
		probe_fail("close_range: %s", strerror(errno));
	}
	if (fcntl(fds[0], F_GETFD) != -1 || errno != EBADF ||
	    fcntl(fds[1], F_GETFD) != -1 || errno != EBADF)
		probe_fail("descriptors still open after close_range");
	probe_kv("result", "closed");
	return 0;
}
