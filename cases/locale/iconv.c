/* Boundary: gconv modules.  iconv_open is @GLIBC_2.2.5, but ISO-8859-15 is
 * not built into libc: the run-time glibc reads the gconv-modules
 * configuration in its compiled-in gconv directory (or GCONV_PATH) and
 * dlopens ISO8859-15.so, which needs GLIBC_PRIVATE symbols of the glibc it
 * was built with.  A Debian glibc's compiled-in directory is the host's
 * /usr/lib/x86_64-linux-gnu/gconv, whichever sysroot it came from.  Loaded
 * modules are printed as gconv=<path> (or gconv=none); iconv_open failing is
 * a failure.  0xA4 in ISO-8859-15 is the euro sign, U+20AC. */
#include "../common/probe.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

int main(void)
{
	char in[] = "\xa4 = EUR";
	char out[32] = "";
	char *inp = in, *outp = out;
	size_t inleft = strlen(in), outleft = sizeof(out) - 1;
	iconv_t cd;

	probe_report();
	cd = iconv_open("UTF-8", "ISO-8859-15");
	if (probe_report_objects("gconv", "/gconv/") == 0)
		probe_kv("gconv", "none");
	if (cd == (iconv_t)-1)
		probe_fail("iconv_open(UTF-8, ISO-8859-15): %s", strerror(errno));
	if (iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1)
		probe_fail("iconv: %s", strerror(errno));
	*outp = '\0';
	iconv_close(cd);
	if (strcmp(out, "\xe2\x82\xac = EUR") != 0)
		probe_fail("converted to \"%s\"", out);
	probe_kv("result", "%s", out);
	return 0;
}
