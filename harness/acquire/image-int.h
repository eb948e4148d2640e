/* What image.c and image-parse.c share: json-c helpers and the checks of
 * digests and descriptors. */
#ifndef GM_IMAGE_INT_H
#define GM_IMAGE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "base/err.h"

/* "sha256:" and 64 lower-case hex digits: the only digests read (a name
 * made of one is also a safe file name). */
bool image_digest_valid(const char *d);
/* text (len bytes) as JSON; NULL + GM_EXIT_USAGE naming what. */
json_object *image_json_parse(const char *text, size_t len, const char *what,
			      struct gm_err **err);
/* o's member key when it is a string / an array, else NULL. */
const char *image_json_str(json_object *o, const char *key);
json_object *image_json_array(json_object *o, const char *key);
/* A descriptor's digest and size (-1 + err when either is missing or odd). */
int image_descriptor(json_object *d, const char *what, const char **ret_digest,
		     long long *ret_size, struct gm_err **err);
/* Debian's name of a Go architecture name ("386" is "i386"). */
const char *image_deb_arch(const char *go);

#endif
