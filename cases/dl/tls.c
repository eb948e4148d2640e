/* Boundary: TLS in a dlopened library.  The plugin (dl/tls-plugin.c) has
 * __thread variables, reached through __tls_get_addr@GLIBC_2.3 (ld.so)
 * because it is loaded after start-up (dynamic TLS: the loader grows the
 * DTV of the threads that touch it).  The probe itself binds dlopen and
 * pthread_create to @GLIBC_2.34 when built against >= 2.34.  Each thread
 * must see its own copy, initialised from the plugin's TLS image. */
#include "../common/probe.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

static int (*bump)(void);
static int (*initial)(void);

static void *worker(void *arg)
{
	int *out = (int *)arg;
	out[0] = initial();
	out[1] = bump();
	out[2] = bump();
	return NULL;
}

int main(void)
{
	char path[4096];
	int in_thread[3] = { 0, 0, 0 };
	int before, after;
	pthread_t t;
	void *h;
	int rc;

	probe_report();
	if (probe_exe_sibling("plugin.so", path, sizeof(path)) < 0)
		probe_fail("cannot find the executable's directory");
	probe_kv("plugin", "%s", path);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		probe_fail("dlopen: %s", dlerror());
	*(void **)&bump = dlsym(h, "tls_bump");
	*(void **)&initial = dlsym(h, "tls_initial");
	if (bump == NULL || initial == NULL)
		probe_fail("dlsym: %s", dlerror());

	bump();
	before = bump();
	rc = pthread_create(&t, NULL, worker, in_thread);
	if (rc != 0)
		probe_fail("pthread_create: %s", strerror(rc));
	rc = pthread_join(t, NULL);
	if (rc != 0)
		probe_fail("pthread_join: %s", strerror(rc));
	after = bump();

	probe_kv("main", "%d,%d", before, after);
	probe_kv("thread", "%d,%d,%d", in_thread[0], in_thread[1], in_thread[2]);
	if (before != 2 || after != 3)
		probe_fail("main thread counter %d then %d, expected 2 then 3", before, after);
	if (in_thread[0] != 42 || in_thread[1] != 1 || in_thread[2] != 2)
		probe_fail("new thread saw %d,%d,%d, expected 42,1,2",
			   in_thread[0], in_thread[1], in_thread[2]);
	probe_kv("result", "per-thread");
	return 0;
}
