/* A program needing a library that is not glibc's (libgmext.so.1, from
 * dl/extlib.c; DT_NEEDED without RUNPATH): the loader finds it only where it
 * is told to look (--library-path, RUNPATH, LD_LIBRARY_PATH) or through
 * ld.so.cache, which is how the NVIDIA container toolkit makes injected
 * driver libraries visible (the ldcache method). */
#include "../common/probe.h"

int gmext_answer(void);

int main(void)
{
	probe_report();
	int v = gmext_answer();
	if (v != 42)
		probe_fail("gmext_answer() = %d", v);
	probe_kv("result", "%d", v);
	return 0;
}
