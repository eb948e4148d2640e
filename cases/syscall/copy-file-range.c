/* Boundary: glibc 2.27 added copy_file_range (<unistd.h>, _GNU_SOURCE):
 * copy_file_range@GLIBC_2.27.  The files live in $TMPDIR (default /tmp).
 * ENOSYS (Linux < 4.5; glibc 2.27-2.29 emulated it), EXDEV and EOPNOTSUPP
 * are reported as notes: they describe the kernel or file system. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "../common/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char payload[] = "copy_file_range-2.27";

static int make_temp(char *path, size_t size, const char *dir)
{
	int fd;

	if (snprintf(path, size, "%s/glibc-matrix-probe-XXXXXX", dir) >= (int)size)
		probe_fail("TMPDIR too long");
	fd = mkstemp(path);
	if (fd < 0)
		probe_fail("mkstemp(%s): %s", path, strerror(errno));
	unlink(path);
	return fd;
}

int main(void)
{
	char in_path[4096], out_path[4096], back[sizeof(payload)] = "";
	const char *dir = getenv("TMPDIR");
	int in, out, err;
	ssize_t n;
	loff_t off = 0;

	probe_report();
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	in = make_temp(in_path, sizeof(in_path), dir);
	out = make_temp(out_path, sizeof(out_path), dir);
	if (write(in, payload, sizeof(payload)) != (ssize_t)sizeof(payload))
		probe_fail("write: %s", strerror(errno));
	n = copy_file_range(in, &off, out, NULL, sizeof(payload), 0);
	err = errno;
	if (n < 0 && (err == ENOSYS || err == EXDEV || err == EOPNOTSUPP)) {
		probe_kv("note", "%s: copy_file_range unsupported here", strerror(err));
		probe_kv("result", "unsupported");
		return 0;
	}
	if (n != (ssize_t)sizeof(payload))
		probe_fail("copy_file_range returned %zd: %s", n, n < 0 ? strerror(err) : "short copy");
	if (pread(out, back, sizeof(back), 0) != (ssize_t)sizeof(back) || strcmp(back, payload) != 0)
		probe_fail("copied data differs");
	probe_kv("result", "%zd-bytes", n);
	return 0;
}
