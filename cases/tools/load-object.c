/* The program `check` loads a user's shared object with (a .node module, a
 * plugin, a library): built against each run sysroot like every probe, it
 * dlopens argv[1] with RTLD_NOW, so every symbol of the object and of what
 * it pulls in is bound at once, and reports dlerror() the way the loader
 * words it ("undefined symbol: ...", "version `GLIBC_2.38' not found ...",
 * "cannot open shared object file"), which the harness classifies as it
 * classifies a program's failure to load.  Exit 127 when the object does
 * not load, as the loader exits when a program does not. */
#include "../common/probe.h"

#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	probe_report();
	if (argc != 2)
		probe_fail_status(2, "usage: load-object FILE.so");
	void *h = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		fprintf(stderr, "load-object: %s\n", dlerror());
		return 127;
	}
	probe_kv("loaded", "%s", argv[1]);
	return 0;
}
