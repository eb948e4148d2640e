/* Boundary: glibc 2.34 merged libpthread into libc.  Built against >= 2.34,
 * pthread_create and pthread_join bind to pthread_create@GLIBC_2.34 in
 * libc.so.6; against older glibc they come from libpthread.so.0 at
 * GLIBC_2.2.5.  Link with -pthread so older sysroots add libpthread. */
#include "../common/probe.h"

#include <pthread.h>
#include <string.h>

static void *worker(void *arg)
{
	int *value = (int *)arg;
	*value *= 7;
	return arg;
}

int main(void)
{
	int value = 6;
	void *ret = NULL;
	pthread_t t;
	int rc;

	probe_report();
	rc = pthread_create(&t, NULL, worker, &value);
	if (rc != 0)
		probe_fail("pthread_create: %s", strerror(rc));
	rc = pthread_join(t, &ret);
	if (rc != 0)
		probe_fail("pthread_join: %s", strerror(rc));
	if (ret != &value || value != 42)
		probe_fail("thread result %d, expected 42", value);
	probe_kv("result", "%d", value);
	return 0;
}
