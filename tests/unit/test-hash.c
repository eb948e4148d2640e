/* base/hash: SHA-256 of files, also from several threads at once (the probe
 * pool hashes sources in parallel; a shared buffer once gave wrong keys). */
#include "base/hash.h"
#include "base/util.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char want_a[65], want_b[65];
static char path_a[] = "/tmp/gm-test-hash-a.XXXXXX", path_b[] = "/tmp/gm-test-hash-b.XXXXXX";

static void make_file(char *tmpl, char fill, size_t size)
{
	int fd = mkstemp(tmpl);
	char *buf = xmalloc(size);
	memset(buf, fill, size);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size)
		abort();
	close(fd);
	free(buf);
}

static void *hash_many(void *p)
{
	long wrong = 0;
	const char *path = p == path_a ? path_a : path_b;
	const char *want = p == path_a ? want_a : want_b;
	for (int i = 0; i < 40; i++) {
		char got[65];
		if (sha256_file(path, got, NULL) < 0 || strcmp(got, want) != 0)
			wrong++;
	}
	return (void *)wrong;
}

static void known_digest(void)
{
	char out[65];
	sha256_buf("abc", 3, out);
	TEST_COMPARE_STRING(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void threads_agree(void)
{
	/* Files larger than one read buffer, so the threads interleave reads. */
	make_file(path_a, 'a', 300000);
	make_file(path_b, 'b', 300000);
	TEST_COMPARE(sha256_file(path_a, want_a, NULL), 0);
	TEST_COMPARE(sha256_file(path_b, want_b, NULL), 0);
	TEST_VERIFY(strcmp(want_a, want_b) != 0);
	pthread_t ta, tb;
	void *wa, *wb;
	pthread_create(&ta, NULL, hash_many, path_a);
	pthread_create(&tb, NULL, hash_many, path_b);
	pthread_join(ta, &wa);
	pthread_join(tb, &wb);
	TEST_COMPARE((long)wa, 0);
	TEST_COMPARE((long)wb, 0);
	unlink(path_a);
	unlink(path_b);
}

int main(void)
{
	RUN_TEST(known_digest);
	RUN_TEST(threads_agree);
	TAP_END();
}
