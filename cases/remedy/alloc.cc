// Boundary: libstdc++ of the build machine.  GCC >= 11's headers compile
// std::allocator<T>::allocate(n) with a run-time n into a call to
// std::__throw_bad_array_new_length() (GLIBCXX_3.4.29), which bullseye's
// libstdc++ (GCC 10) lacks.  Built with the target's own libstdc++ headers
// (`flags --portable --c++`, case "cxx-alloc-portable": the remedy) the
// call is not there.  The allocation must work.
#include "../common/probe.h"

#include <cstdlib>
#include <memory>

int main(int argc, char **argv)
{
	probe_report();
	std::allocator<long> a;
	std::size_t n = std::strtoul(argc > 1 ? argv[1] : "4", nullptr, 10) + 1;
	long *p = a.allocate(n);
	p[n - 1] = 7;
	long v = p[n - 1];
	a.deallocate(p, n);
	if (v != 7)
		probe_fail("allocator gave back %ld", v);
	probe_kv("result", "allocated %zu", n);
	return 0;
}
