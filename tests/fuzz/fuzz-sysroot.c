/* libFuzzer target for the sysroot manifest (store/sysroot.c): sysroot.json
 * is parsed with json-c and validated against the directory it sits in.  A
 * manifest that parses must satisfy what the validator promises: a safe name
 * equal to the directory's, and loader and library directories inside it. */
#define _GNU_SOURCE
#include "store/sysroot.h"
#include "fuzz-text.h"

#include <stdio.h>

#define DIR "/store/sysroots/debian-bullseye-amd64"

static int inside(const char *p)
{
	return strncmp(p, DIR "/", sizeof(DIR)) == 0 && !strstr(p, "/../") &&
	       !strstr(p, "/./");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct gm_err *err = NULL;
	struct sysroot s;

	if (sysroot_parse(text, DIR "/" SYSROOT_MANIFEST, DIR, &s, &err) == 0) {
		if (strcmp(s.name, "debian-bullseye-amd64") || !inside(s.loader)) {
			fprintf(stderr, "sysroot_parse accepted name '%s' loader '%s'\n", s.name,
				s.loader);
			abort();
		}
		for (size_t i = 0; s.libdirs[i]; i++)
			if (!inside(s.libdirs[i]) && strcmp(s.libdirs[i], DIR))
				abort();
		free(sysroot_to_json(&s));
		sysroot_release(&s);
	}
	gm_err_free(&err);
	free(text);
	return 0;
}
