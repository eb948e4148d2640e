/* Boundary: NSS.  getpwnam is @GLIBC_2.2.5 everywhere, but the run-time
 * path differs: glibc < 2.34 dlopens libnss_files.so.2 (which needs
 * GLIBC_PRIVATE symbols of the same glibc), >= 2.34 has the files backend
 * built into libc.  Every loaded libnss object is printed as nss=<path>,
 * or nss=builtin when none was loaded. */
#include "../common/probe.h"

#include <errno.h>
#include <pwd.h>
#include <string.h>

int main(void)
{
	struct passwd *pw;

	probe_report();
	errno = 0;
	pw = getpwnam("root");
	if (probe_report_objects("nss", "libnss") == 0)
		probe_kv("nss", "builtin");
	if (pw == NULL)
		probe_fail("getpwnam(\"root\"): %s", errno ? strerror(errno) : "not found");
	if (pw->pw_uid != 0)
		probe_fail("root has uid %ld", (long)pw->pw_uid);
	probe_kv("result", "%s:%ld:%s", pw->pw_name, (long)pw->pw_uid, pw->pw_dir);
	return 0;
}
