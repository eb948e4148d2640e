/* libFuzzer target for the Debian index parsers (acquire/debindex.c): every
 * input is read as a Release file (SHA256 lookup, Acquire-By-Hash, fields)
 * and as a Packages index (stanza parser, highest-version lookup).  These
 * texts come from the network; a mirror must not be able to crash us. */
#define _GNU_SOURCE
#include "acquire/debindex.h"
#include "fuzz-text.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char sha[65];
	unsigned long long len;
	struct debpkg p;

	debindex_release_sha256(text, "main/binary-amd64/Packages.xz", sha, &len);
	debindex_release_sha256(text, "main/binary-arm64/Packages", sha, NULL);
	debindex_release_by_hash(text);
	free(debindex_release_field(text, "Suite"));
	free(debindex_release_field(text, "Codename"));
	if (debindex_parse_stanza(text, size, &p))
		debpkg_release(&p);
	if (debindex_find(text, "libc6", "amd64", &p))
		debpkg_release(&p);
	if (debindex_find(text, "libc6-dev", "arm64", &p))
		debpkg_release(&p);
	free(text);
	return 0;
}
