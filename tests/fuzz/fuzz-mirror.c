/* libFuzzer target for the apt sources parsers (acquire/mirror.c): deb822
 * *.sources and one-line sources.list.  The files belong to the machine, not
 * to us; an odd one must give "no mirror", never a crash.  What is returned
 * is used as the archive's root URL, so it must still be one: an http(s) URL
 * with a host or a file: URL with a path, no trailing slash, no blanks, and
 * a rank of 0, 1 or 2. */
#define _GNU_SOURCE
#include "acquire/mirror.h"
#include "fuzz-text.h"

#include <stdbool.h>
#include <stdio.h>

static void check(const char *uri, int rank)
{
	if (!uri)
		return;
	size_t n = strlen(uri);
	bool ok;
	if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8)) {
		const char *host = strstr(uri, "://") + 3;
		ok = *host && *host != '/';
	} else {
		ok = !strncmp(uri, "file:/", 6) && uri[5 + strspn(uri + 5, "/")];
	}
	if (!ok || uri[n - 1] == '/' || strpbrk(uri, " \t\n") ||
	    rank < 0 || rank > 2) {
		fprintf(stderr, "mirror parser returned '%s' rank %d\n", uri, rank);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	int rank = -1;
	char *u = mirror_parse_deb822(text, &rank);
	check(u, rank);
	free(u);
	rank = -1;
	u = mirror_parse_oneline(text, &rank);
	check(u, rank);
	free(u);
	free(mirror_parse_deb822(text, NULL));
	free(text);
	return 0;
}
