/* Boundary: glibc 2.18 added __cxa_thread_atexit_impl, which libstdc++'s
 * __cxa_thread_atexit calls to register destructors of C++ thread_local
 * objects.  Linked with -static-libstdc++ the libstdc++ code is in the
 * executable, so it needs __cxa_thread_atexit_impl@GLIBC_2.18 itself (with
 * a shared libstdc++ the dependency sits in libstdc++.so.6 instead, and the
 * host's libstdc++ would pull its own, newer glibc floor).  The destructor
 * of the thread's object must run when the thread exits. */
#include "../common/probe.h"

#include <pthread.h>
#include <string.h>

static int destroyed;

struct tracker {
	int value;
	tracker() : value(7) {}
	~tracker() { destroyed = value; }
};

static thread_local tracker per_thread;

static void *worker(void *)
{
	per_thread.value = 42;
	return nullptr;
}

int main()
{
	pthread_t t;
	int rc;

	probe_report();
	rc = pthread_create(&t, nullptr, worker, nullptr);
	if (rc != 0)
		probe_fail("pthread_create: %s", strerror(rc));
	rc = pthread_join(t, nullptr);
	if (rc != 0)
		probe_fail("pthread_join: %s", strerror(rc));
	if (destroyed != 42)
		probe_fail("thread_local destructor saw %d, expected 42", destroyed);
	probe_kv("result", "dtor-ran");
	return 0;
}
