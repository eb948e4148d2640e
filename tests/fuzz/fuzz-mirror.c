/* libFuzzer target for the apt sources parsers (acquire/mirror.c): deb822
 * *.sources and one-line sources.list.  The files belong to the machine, not
 * to us; an odd one must give "no mirror", never a crash. */
#define _GNU_SOURCE
#include "acquire/mirror.h"
#include "fuzz-text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	int rank = -1;
	free(mirror_parse_deb822(text, &rank));
	free(mirror_parse_oneline(text, &rank));
	free(mirror_parse_deb822(text, NULL));
	free(text);
	return 0;
}
