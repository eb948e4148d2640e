/* libFuzzer target for Debian version comparison (acquire/debversion.c).
 * The input is two versions separated by a newline.  Besides memory errors
 * it checks the properties an ordering must have, because debindex_find
 * picks "the highest" with it: a version equals itself, and swapping the
 * operands flips the sign. */
#define _GNU_SOURCE
#include "acquire/debversion.h"
#include "fuzz-text.h"

#include <stdio.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a, *b;
	fuzz_split(data, size, &a, &b);
	if (debversion_cmp(a, a) != 0 || debversion_cmp(b, b) != 0) {
		fprintf(stderr, "debversion_cmp: a version differs from itself\n");
		abort();
	}
	if (sign(debversion_cmp(a, b)) != -sign(debversion_cmp(b, a))) {
		fprintf(stderr, "debversion_cmp: not antisymmetric\n");
		abort();
	}
	free(debversion_glibc_upstream(a));
	free(a);
	free(b);
	return 0;
}
