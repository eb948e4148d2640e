/* Boundary: locale data.  setlocale is @GLIBC_2.2.5, but C.UTF-8 is a
 * locale on disk (glibc >= 2.35 ships it upstream, Debian long before) in
 * the run-time glibc's locale directory or archive, whose format must match
 * that glibc.  A missing locale is information, not a failure: the probe
 * prints locale=unavailable and exits 0.  A locale that loads but does not
 * report UTF-8 is a failure. */
#include "../common/probe.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>

int main(void)
{
	const char *name, *codeset;

	probe_report();
	name = setlocale(LC_ALL, "C.UTF-8");
	if (name == NULL) {
		probe_kv("locale", "unavailable");
		probe_kv("result", "unavailable");
		return 0;
	}
	codeset = nl_langinfo(CODESET);
	probe_kv("locale", "%s", name);
	probe_kv("codeset", "%s", codeset);
	if (strcmp(codeset, "UTF-8") != 0)
		probe_fail("C.UTF-8 loaded with codeset %s", codeset);
	probe_kv("result", "utf-8");
	return 0;
}
