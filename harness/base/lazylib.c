#define _GNU_SOURCE
#include "base/lazylib.h"
#include "base/util.h"

#include <dlfcn.h>
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int lazylib_load(const char *soname, const char *const *names, void **ptrs, size_t n,
		 struct gm_err **err)
{
	int r = 0;
	pthread_mutex_lock(&lock);
	if (n && ptrs[n - 1]) /* filled by an earlier call */
		goto out;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		r = gm_infra(err, 0, "cannot load %s: %s", soname, dlerror());
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		void *p = dlsym(h, names[i]);
		if (!p) {
			/* leave the table empty so a retry reports it again */
			for (size_t k = 0; k < i; k++)
				ptrs[k] = NULL;
			r = gm_infra(err, 0, "%s has no %s", soname, names[i]);
			goto out;
		}
		ptrs[i] = p;
	}
out:
	pthread_mutex_unlock(&lock);
	return r;
}
