/* Boundary: glibc 2.36 added pidfd_open, pidfd_getfd and
 * pidfd_send_signal (<sys/pidfd.h>, new in 2.36): pidfd_open@GLIBC_2.36.
 * ENOSYS (Linux < 5.3) and EPERM (a seccomp filter that does not know the
 * call) are reported as notes: the library resolved, the kernel said no. */
#include "../common/probe.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

int main(void)
{
	int fd;

	probe_report();
	fd = pidfd_open(getpid(), 0);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		probe_kv("note", "%s: pidfd_open refused by the kernel", strerror(errno));
		probe_kv("result", "unsupported");
		return 0;
	}
	if (fd < 0)
		probe_fail("pidfd_open: %s", strerror(errno));
	if (pidfd_send_signal(fd, 0, NULL, 0) != 0)
		probe_fail("pidfd_send_signal(0): %s", strerror(errno));
	close(fd);
	probe_kv("result", "pidfd");
	return 0;
}
