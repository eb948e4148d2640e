// Remedy for __cxa_thread_atexit_impl@GLIBC_2.18 (causes.tsv
// "cxa-thread-atexit"): the per-thread object lives behind a pthread key
// whose destructor runs at thread exit, instead of a thread_local object
// with a destructor, so libstdc++'s __cxa_thread_atexit is never linked
// in.  The destructor must still run.
#include "../common/probe.h"

#include <pthread.h>
#include <string.h>

static int destroyed;
static pthread_key_t key;

struct tracker {
	int value = 7;
};

static void destroy(void *p)
{
	destroyed = static_cast<tracker *>(p)->value;
	delete static_cast<tracker *>(p);
}

static void *worker(void *)
{
	tracker *t = new tracker;
	t->value = 42;
	pthread_setspecific(key, t);
	return nullptr;
}

int main()
{
	pthread_t t;
	int rc;

	probe_report();
	if ((rc = pthread_key_create(&key, destroy)) != 0)
		probe_fail("pthread_key_create: %s", strerror(rc));
	if ((rc = pthread_create(&t, nullptr, worker, nullptr)) != 0)
		probe_fail("pthread_create: %s", strerror(rc));
	if ((rc = pthread_join(t, nullptr)) != 0)
		probe_fail("pthread_join: %s", strerror(rc));
	if (destroyed != 42)
		probe_fail("key destructor saw %d, expected 42", destroyed);
	probe_kv("result", "dtor-ran");
	return 0;
}
