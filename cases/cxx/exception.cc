/* Boundary: the unwinder.  GCC >= 12's libgcc built for glibc >= 2.35 finds
 * the FDE of a throwing frame with _dl_find_object@GLIBC_2.35 instead of
 * dl_iterate_phdr.  Linked with -static-libgcc -static-libstdc++ that
 * unwinder is inside the executable, so throwing a C++ exception makes the
 * binary need GLIBC_2.35 whatever glibc it was built against: the
 * dependency comes from the toolchain's libgcc_eh.a, not from the sysroot
 * (linking against glibc < 2.35 fails with an undefined _dl_find_object). */
#include "../common/probe.h"

#include <stdexcept>

static int depth(int n)
{
	if (n == 0)
		throw std::runtime_error("unwound");
	return depth(n - 1) + 1;
}

int main()
{
	volatile int n = 5;

	probe_report();
	try {
		probe_kv("depth", "%d", depth(n));
	} catch (const std::runtime_error &e) {
		probe_kv("result", "%s", e.what());
		return 0;
	}
	probe_fail("no exception caught");
}
