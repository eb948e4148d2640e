/* base/strmap: names to indexes, linear where a search was quadratic. */
#include "base/strmap.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>

static void intern_keeps_the_first_value(void)
{
	struct strmap m = STRMAP_INIT;
	size_t v = 99;
	TEST_VERIFY(!strmap_get(&m, "a", &v));
	TEST_COMPARE(strmap_intern(&m, "a", 0), 0);
	TEST_COMPARE(strmap_intern(&m, "b", 1), 1);
	TEST_COMPARE(strmap_intern(&m, "a", 7), 0);
	TEST_VERIFY(strmap_get(&m, "b", &v));
	TEST_COMPARE(v, 1);
	TEST_VERIFY(!strmap_get(&m, "", &v));
	TEST_COMPARE(strmap_intern(&m, "", 2), 2);
	TEST_COMPARE(m.n, 3);
	strmap_release(&m);
	TEST_COMPARE(m.n, 0);
}

/* Growth keeps every key: 50,000 of them, each found with its value. */
static void many_keys_survive_growth(void)
{
	struct strmap m = STRMAP_INIT;
	for (size_t i = 0; i < 50000; i++) {
		char *k = xasprintf("debian-bullseye-amd64-%zu", i);
		TEST_COMPARE(strmap_intern(&m, k, i), i);
		free(k);
	}
	size_t bad = 0, v;
	for (size_t i = 0; i < 50000; i++) {
		char *k = xasprintf("debian-bullseye-amd64-%zu", i);
		bad += !strmap_get(&m, k, &v) || v != i;
		free(k);
	}
	TEST_COMPARE(bad, 0);
	TEST_COMPARE(m.n, 50000);
	TEST_VERIFY(2 * m.n <= m.cap);
	strmap_release(&m);
}

int main(void)
{
	RUN_TEST(intern_keeps_the_first_value);
	RUN_TEST(many_keys_survive_growth);
	TAP_END();
}
