/* Boundary: glibc 2.32 gave pthread_sigmask a new version in libc
 * (pthread_sigmask@GLIBC_2.32); before, it was @GLIBC_2.2.5 in libpthread.
 * Built against >= 2.32 the call binds to the 2.32 node.  No threads are
 * created, so nothing else from libpthread is needed. */
#include "../common/probe.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

int main(void)
{
	sigset_t set, old;
	int rc;

	probe_report();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (rc != 0)
		probe_fail("pthread_sigmask(SIG_BLOCK): %s", strerror(rc));
	rc = pthread_sigmask(SIG_SETMASK, NULL, &old);
	if (rc != 0)
		probe_fail("pthread_sigmask(query): %s", strerror(rc));
	if (sigismember(&old, SIGUSR1) != 1)
		probe_fail("SIGUSR1 not blocked after pthread_sigmask");
	probe_kv("result", "blocked");
	return 0;
}
