/* Remedy for a new API (causes.tsv "new-api"): strlcpy (GLIBC_2.38) is
 * looked up at run time with dlsym, so the binary has no link-time
 * reference and no GLIBC_2.38 need; where glibc lacks it the program uses
 * its own fallback.  (Declaring it weak is not enough: the version need
 * stays, and a loader without GLIBC_2.38 refuses the binary.) */
#define _GNU_SOURCE
#include "../common/probe.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

typedef size_t strlcpy_fn(char *dst, const char *src, size_t size);

static size_t fallback_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		for (size_t i = 0; i < k; i++)
			dst[i] = src[i];
		dst[k] = '\0';
	}
	return n;
}

int main(void)
{
	char b[4];
	strlcpy_fn *glibc_strlcpy;
	size_t n;

	probe_report();
	*(void **)&glibc_strlcpy = dlsym(RTLD_DEFAULT, "strlcpy");
	n = (glibc_strlcpy ? glibc_strlcpy : fallback_strlcpy)(b, "hello", sizeof b);
	if (n != 5 || strcmp(b, "hel") != 0)
		probe_fail("strlcpy gave %zu \"%s\"", n, b);
	probe_kv("result", "%s", glibc_strlcpy ? "glibc" : "fallback");
	return 0;
}
