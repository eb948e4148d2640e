/* Captured program output as text a JSON document can carry: programs print
 * anything (UTF-16 byte-order marks, binary data, NULs), and results.json
 * must stay valid UTF-8 whatever they printed. */
#ifndef GM_UTF8_H
#define GM_UTF8_H

#include <stddef.h>

/* Copies the first max bytes of buf[0..len) as valid UTF-8: well-formed
 * sequences (RFC 3629: no overlongs, no surrogates, nothing above
 * U+10FFFF) are kept, every other byte becomes the four characters "\xNN",
 * NUL bytes are kept (the JSON writer escapes them as \u0000).  When len >
 * max, the text ends with "\n[... N more bytes not shown]".  Returns a
 * NUL-terminated string (embedded NULs possible) and its length in
 * *ret_len. */
char *utf8_excerpt(const char *buf, size_t len, size_t max, size_t *ret_len);

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 if s[0] does
 * not start one. */
size_t utf8_sequence(const unsigned char *s, size_t n);

#endif
