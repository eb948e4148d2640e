/* The library of the extlib probe (built as libgmext.so.1, the probe links
 * it: DT_NEEDED, no RUNPATH).  Like a GPU driver's library it has a glibc
 * floor of its own: it starts a thread, so built against >= 2.34 it needs
 * pthread_create@GLIBC_2.34 (before: libpthread.so.0 at GLIBC_2.2.5).  The
 * ldcache method injects the one built against the run sysroot into a
 * container and registers it with ldconfig. */
#include <pthread.h>

int gmext_answer(void);

static void *worker(void *arg)
{
	*(int *)arg = 42;
	return 0;
}

int gmext_answer(void)
{
	pthread_t t;
	int v = 0;
	if (pthread_create(&t, 0, worker, &v) != 0 || pthread_join(t, 0) != 0)
		return -1;
	return v;
}
