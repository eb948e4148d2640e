#define _GNU_SOURCE
#include "base/utf8.h"
#include "base/strbuf.h"

#include <string.h>

size_t utf8_sequence(const unsigned char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	/* Table 3-7 of the Unicode standard: the second byte's range
	 * depends on the first byte, which excludes overlongs (C0, C1, E0
	 * 80..9F, F0 80..8F), surrogates (ED A0..BF) and > U+10FFFF. */
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		if (s[0] == 0xE0)
			lo = 0xA0;
		else if (s[0] == 0xED)
			hi = 0x9F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		if (s[0] == 0xF0)
			lo = 0x90;
		else if (s[0] == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

char *utf8_excerpt(const char *buf, size_t len, size_t max, size_t *ret_len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t n = len < max ? len : max;
	struct strbuf b = STRBUF_INIT;
	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < n;) {
		size_t k = utf8_sequence(s + i, n - i);
		if (k) {
			strbuf_add(&b, buf + i, k);
			i += k;
		} else {
			strbuf_addf(&b, "\\x%02X", s[i]);
			i++;
		}
	}
	if (len > n)
		strbuf_addf(&b, "\n[... %zu more bytes not shown]", len - n);
	*ret_len = b.len;
	return strbuf_detach(&b);
}
