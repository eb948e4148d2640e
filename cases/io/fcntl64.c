/* Boundary: glibc 2.28 added fcntl64.  With -D_FILE_OFFSET_BITS=64,
 * <fcntl.h> of glibc >= 2.28 redirects fcntl() to fcntl64, so the binary
 * needs fcntl64@GLIBC_2.28 even on x86_64, where off_t is already 64-bit.
 * Built against older glibc the same source calls fcntl@GLIBC_2.2.5. */
#include "../common/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	int fds[2];
	int flags;

	probe_report();
	if (pipe(fds) != 0)
		probe_fail("pipe: %s", strerror(errno));
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0)
		probe_fail("fcntl(F_SETFD): %s", strerror(errno));
	flags = fcntl(fds[0], F_GETFD);
	if (flags < 0)
		probe_fail("fcntl(F_GETFD): %s", strerror(errno));
	if (!(flags & FD_CLOEXEC))
		probe_fail("FD_CLOEXEC not set after F_SETFD");
	probe_kv("result", "cloexec");
	return 0;
}
