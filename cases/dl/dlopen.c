/* Boundary: glibc 2.34 merged libdl into libc.  Built against >= 2.34,
 * dlopen, dlsym, dlerror and dlclose bind to @GLIBC_2.34 in libc.so.6;
 * against older glibc they come from libdl.so.2 at GLIBC_2.2.5 (link with
 * -ldl; on >= 2.34 libdl.a is an empty stub).  The plugin (dl/plugin.c) is
 * built against the same sysroot and installed next to the probe. */
#include "../common/probe.h"

#include <dlfcn.h>

int main(void)
{
	char path[4096];
	const char *(*hello)(void);
	const char *err;
	void *h;

	probe_report();
	if (probe_exe_sibling("plugin.so", path, sizeof(path)) < 0)
		probe_fail("cannot find the executable's directory");
	probe_kv("plugin", "%s", path);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		probe_fail("dlopen: %s", dlerror());
	dlerror();
	*(void **)&hello = dlsym(h, "plugin_hello");
	err = dlerror();
	if (err != NULL || hello == NULL)
		probe_fail("dlsym(plugin_hello): %s", err ? err : "null");
	probe_kv("result", "%s", hello());
	if (dlclose(h) != 0)
		probe_fail("dlclose: %s", dlerror());
	return 0;
}
