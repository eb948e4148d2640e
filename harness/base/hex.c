/* hex_digest (hash.h) in a file of its own: the ELF reader formats build
 * IDs with it, and programs that link the reader without libcrypto (the
 * glibc-inject hook) must not pull in hash.o's SHA-256. */
#include "base/hash.h"

void hex_digest(const unsigned char *md, unsigned n, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;
	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * i] = '\0';
}
