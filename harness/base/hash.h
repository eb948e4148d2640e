/* Hashing: cache keys and download verification. */
#ifndef GM_HASH_H
#define GM_HASH_H

#include <stddef.h>

#include "base/err.h"

/* Hex SHA-256 (libcrypto) of a file or a buffer; out has 65 bytes. */
int sha256_file(const char *path, char out[65], struct gm_err **err);
void sha256_buf(const void *buf, size_t len, char out[65]);
/* Lower-case hex of the first n (at most 32) bytes of md, terminated. */
void hex_digest(const unsigned char *md, unsigned n, char out[65]);


#endif
