/* Boundary: glibc 2.33 exported stat, fstat, lstat and fstatat as real
 * functions (stat@GLIBC_2.33).  Older <sys/stat.h> made them inline wrappers
 * around __xstat@GLIBC_2.2.5, so a binary built against >= 2.33 that calls
 * stat() needs GLIBC_2.33 and one built against older glibc does not. */
#include "../common/probe.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int main(void)
{
	struct stat st;

	probe_report();
	if (stat("/", &st) != 0)
		probe_fail("stat(\"/\"): %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		probe_fail("stat(\"/\") says mode %o, not a directory", (unsigned)st.st_mode);
	probe_kv("result", "dir");
	return 0;
}
