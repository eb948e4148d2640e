/* libFuzzer target for the Debian index parsers (acquire/debindex.c): every
 * input is read as a Release file (SHA256 lookup, Acquire-By-Hash, fields)
 * and as a Packages index (stanza parser, highest-version lookup).  These
 * texts come from the network; a mirror must not be able to crash us.  What
 * is returned is checked against the contracts in debindex.h: a lowercase
 * 64-hex SHA256, a package of the name and architecture asked for. */
#define _GNU_SOURCE
#include "acquire/debindex.h"
#include "fuzz-text.h"

#include <stdio.h>
#include <string.h>

static void hex64(const char *what, const char *s)
{
	if (!s || strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64) {
		fprintf(stderr, "%s: sha256 '%s' is not 64 lowercase hex digits\n", what,
			s ? s : "(null)");
		abort();
	}
}

static void check_pkg(const struct debpkg *p, const char *name, const char *arch)
{
	hex64("debindex_find", p->sha256);
	if (!p->package || strcmp(p->package, name) || !p->version || !*p->version ||
	    !p->filename || !*p->filename ||
	    (arch && p->architecture && strcmp(p->architecture, arch) &&
	     strcmp(p->architecture, "all"))) {
		fprintf(stderr, "debindex_find(%s, %s) returned package '%s' arch '%s'\n", name,
			arch, p->package, p->architecture);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char sha[65];
	unsigned long long len;
	struct debpkg p;

	if (debindex_release_sha256(text, "main/binary-amd64/Packages.xz", sha, &len))
		hex64("debindex_release_sha256", sha);
	if (debindex_release_sha256(text, "main/binary-arm64/Packages", sha, NULL))
		hex64("debindex_release_sha256", sha);
	debindex_release_by_hash(text);
	free(debindex_release_field(text, "Suite"));
	free(debindex_release_field(text, "Codename"));
	if (debindex_parse_stanza(text, size, &p)) {
		hex64("debindex_parse_stanza", p.sha256);
		debpkg_is_runtime_library(&p);
		debpkg_release(&p);
	}
	/* Depends values come from the same index: clauses are never empty
	 * and names never carry a version, qualifier or space. */
	char ***deps = debindex_depends(text);
	for (size_t i = 0; deps[i]; i++) {
		if (!deps[i][0])
			abort();
		for (size_t k = 0; deps[i][k]; k++)
			if (!*deps[i][k] || strpbrk(deps[i][k], " \t\n(:[<,|"))
				abort();
	}
	debindex_depends_free(deps);
	if (debindex_find(text, "libc6", "amd64", &p)) {
		check_pkg(&p, "libc6", "amd64");
		debpkg_release(&p);
	}
	if (debindex_find(text, "libc6-dev", "arm64", &p)) {
		check_pkg(&p, "libc6-dev", "arm64");
		debpkg_release(&p);
	}
	free(text);
	return 0;
}
