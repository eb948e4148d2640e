/* libFuzzer target for the container image JSON parsers
 * (acquire/image-parse.c): every input is read as an OCI manifest, a
 * docker-archive manifest.json and an image config.  These files come from
 * images nobody here wrote.  What is returned is checked against the
 * contracts in image.h: digests are sha256:<64 lowercase hex>, sizes are
 * not negative, docker-archive names are relative and without "..", at most
 * IMAGE_MAX_LAYERS layers. */
#define _GNU_SOURCE
#include "acquire/image.h"
#include "acquire/image-int.h"
#include "base/util.h"
#include "fuzz-text.h"

#include <stdio.h>

static void digest(const char *what, const char *d)
{
	if (!image_digest_valid(d)) {
		fprintf(stderr, "%s: '%s' is not sha256:<64 hex>\n", what, d ? d : "(null)");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	size_t len = strlen(text);
	struct gm_err *err = NULL;
	char *config = NULL, *arch = NULL, **layers = NULL;
	long long csize, *sizes = NULL;
	if (image_parse_manifest(text, len, "m", &config, &csize, &layers, &sizes, &err) == 0) {
		digest("config", config);
		if (csize < 0 || strv_len(layers) > IMAGE_MAX_LAYERS)
			abort();
		for (size_t i = 0; layers[i]; i++) {
			digest("layer", layers[i]);
			if (sizes[i] < 0)
				abort();
		}
		free(config);
		strv_free(layers);
		free(sizes);
	} else if (!err || err->code != GM_EXIT_USAGE) {
		abort();
	}
	gm_err_free(&err);
	if (image_parse_docker(text, len, "d", &config, &layers, &err) == 0) {
		if (config[0] == '/' || strstr(config, "..") || strv_len(layers) > IMAGE_MAX_LAYERS)
			abort();
		for (size_t i = 0; layers[i]; i++)
			if (layers[i][0] == '/' || strstr(layers[i], ".."))
				abort();
		free(config);
		strv_free(layers);
	}
	gm_err_free(&err);
	if (image_parse_config(text, len, "c", &arch, &layers, &err) == 0) {
		for (size_t i = 0; layers[i]; i++)
			digest("diff_id", layers[i]);
		free(arch);
		strv_free(layers);
	}
	gm_err_free(&err);
	free(text);
	return 0;
}
