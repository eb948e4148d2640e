/* Boundary: glibc 2.27 added the memfd_create wrapper (<sys/mman.h> under
 * _GNU_SOURCE): memfd_create@GLIBC_2.27.  The system call itself is older
 * (Linux 3.17); ENOSYS from an old kernel is reported as a note. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	char back[8] = "";
	int fd;

	probe_report();
	fd = memfd_create("glibc-matrix-probe", MFD_CLOEXEC);
	if (fd < 0 && errno == ENOSYS) {
		probe_kv("note", "ENOSYS: kernel without memfd_create");
		probe_kv("result", "enosys");
		return 0;
	}
	if (fd < 0)
		probe_fail("memfd_create: %s", strerror(errno));
	if (write(fd, "memfd", 5) != 5)
		probe_fail("write to memfd: %s", strerror(errno));
	if (pread(fd, back, 5, 0) != 5 || strcmp(back, "memfd") != 0)
		probe_fail("reading the memfd back failed");
	close(fd);
	probe_kv("result", "%s", back);
	return 0;
}
