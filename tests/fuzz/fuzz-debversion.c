/* libFuzzer target for Debian version comparison (acquire/debversion.c).
 * The input is up to three versions separated by newlines.  Besides memory
 * errors it checks the properties an ordering must have, because
 * debindex_find picks "the highest" with it: a version equals itself,
 * swapping the operands flips the sign, and a <= b <= c implies a <= c. */
#define _GNU_SOURCE
#include "acquire/debversion.h"
#include "fuzz-text.h"

#include <stdio.h>

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void order(const char *a, const char *b, const char *c)
{
	if (debversion_cmp(a, b) <= 0 && debversion_cmp(b, c) <= 0 && debversion_cmp(a, c) > 0) {
		fprintf(stderr, "debversion_cmp: not transitive: '%s' <= '%s' <= '%s' > '%s'\n", a,
			b, c, a);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a, *rest, *b, *c;
	fuzz_split(data, size, &a, &rest);
	fuzz_split((const uint8_t *)rest, strlen(rest), &b, &c);
	if (debversion_cmp(a, a) != 0 || debversion_cmp(b, b) != 0) {
		fprintf(stderr, "debversion_cmp: a version differs from itself\n");
		abort();
	}
	if (sign(debversion_cmp(a, b)) != -sign(debversion_cmp(b, a))) {
		fprintf(stderr, "debversion_cmp: not antisymmetric\n");
		abort();
	}
	order(a, b, c);
	order(c, b, a);
	order(b, a, c);
	free(debversion_glibc_upstream(a));
	free(a);
	free(rest);
	free(b);
	free(c);
	return 0;
}
