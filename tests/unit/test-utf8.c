/* base/utf8: program output made valid UTF-8 for results.json. */
#include "base/utf8.h"
#include "tap.h"

#include <stdlib.h>

static void excerpt_is(const char *in, size_t len, size_t max, const char *want, size_t want_len)
{
	size_t n;
	char *s = utf8_excerpt(in, len, max, &n);
	TEST_COMPARE(n, want_len);
	TEST_VERIFY(memcmp(s, want, want_len) == 0);
	if (n != want_len || memcmp(s, want, want_len) != 0)
		printf("# got \"%s\" for \"%s\"\n", s, want);
	free(s);
}

static void test_valid_kept(void)
{
	excerpt_is("plain", 5, 100, "plain", 5);
	excerpt_is("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14, 100,
		   "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14);
	excerpt_is("", 0, 100, "", 0);
}

static void test_invalid_escaped(void)
{
	/* A UTF-16 byte-order mark, as `printf '\376\377'` prints it. */
	excerpt_is("\xFE\xFF", 2, 100, "\\xFE\\xFF", 8);
	/* Overlong '/', a surrogate, above U+10FFFF, a lone continuation, a
	 * sequence cut short. */
	excerpt_is("\xC0\xAF", 2, 100, "\\xC0\\xAF", 8);
	excerpt_is("\xED\xA0\x80", 3, 100, "\\xED\\xA0\\x80", 12);
	excerpt_is("\xF4\x90\x80\x80", 4, 100, "\\xF4\\x90\\x80\\x80", 16);
	excerpt_is("a\x80" "b", 3, 100, "a\\x80b", 6);
	excerpt_is("\xE2\x82", 2, 100, "\\xE2\\x82", 8);
}

static void test_nul_kept(void)
{
	excerpt_is("a\0b", 3, 100, "a\0b", 3);
}

static void test_capped(void)
{
	excerpt_is("abcdef", 6, 4, "abcd\n[... 2 more bytes not shown]", 33);
}

int main(void)
{
	RUN_TEST(test_valid_kept);
	RUN_TEST(test_invalid_escaped);
	RUN_TEST(test_nul_kept);
	RUN_TEST(test_capped);
	TAP_END();
}
