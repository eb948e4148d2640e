/* Downloads over HTTP(S) with libcurl. */
#ifndef GM_FETCH_H
#define GM_FETCH_H

#include <stddef.h>

#include "base/err.h"

/* Downloads url to dest through dest.part.<pid>, computing its SHA-256 on
 * the way.  If want_sha256 is non-NULL and differs, nothing is left at dest
 * and the error (GM_EXIT_INFRA) names both hashes.  ret_sha256 may be NULL.
 * If dest already exists with the wanted hash, nothing is downloaded. */
int fetch_file(const char *url, const char *dest, const char *want_sha256,
	       char ret_sha256[65], struct gm_err **err);

/* Both report a missing remote file (HTTP 404/410, missing file:// path) as
 * an error with sys_errno == ENOENT, so callers can tell "no such suite"
 * from a network failure. */

/* Downloads url into memory (indexes, Release files); capped at max bytes. */
int fetch_mem(const char *url, size_t max, char **ret, size_t *ret_len, struct gm_err **err);

#endif
