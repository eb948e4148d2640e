/* Shared by the text-parser fuzz targets: the parsers take C strings, so
 * each input becomes a NUL-terminated heap copy of exactly its bytes (ASan
 * then catches any read past the end).  Embedded NULs simply end the text
 * early, as they would for a file read by read_file. */
#ifndef GM_FUZZ_TEXT_H
#define GM_FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits the input at its first newline into two strings (the second may
 * be empty): targets that compare or look up one string in another. */
static inline void fuzz_split(const uint8_t *data, size_t size, char **a, char **b)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n = nl ? (size_t)(nl - data) : size;
	*a = fuzz_cstr(data, n);
	*b = nl ? fuzz_cstr(nl + 1, size - n - 1) : fuzz_cstr(data, 0);
}

#endif
