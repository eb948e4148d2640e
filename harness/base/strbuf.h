/* A growable string (git's strbuf, reduced): appends are amortised O(1)
 * (the capacity doubles), the text is always NUL-terminated once anything
 * was added, and strbuf_detach hands the text over.  Replaces
 * xasprintf("%s%s", old, new) loops, which are quadratic. */
#ifndef GM_STRBUF_H
#define GM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;      /* NULL until the first append */
	size_t len;     /* bytes, without the NUL */
	size_t alloc;   /* capacity of buf */
};

#define STRBUF_INIT {NULL, 0, 0}

void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends v[0] sep v[1] sep ... */
void strbuf_join(struct strbuf *sb, char *const *v, const char *sep);
/* Appends w as one word a POSIX shell (and strv_split_words) reads back:
 * as it is when it holds only safe characters, else in single quotes. */
void strbuf_add_shell_word(struct strbuf *sb, const char *w);
/* Appends each word of v so, separated by blanks. */
void strbuf_add_shell_words(struct strbuf *sb, char *const *v);
/* The text (never NULL, "" if empty); sb is empty afterwards. */
char *strbuf_detach(struct strbuf *sb);
/* The text without giving it up ("" if empty). */
const char *strbuf_str(const struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
/* Cuts the text back to its first len bytes (len <= sb->len; else nothing). */
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_release(struct strbuf *sb);

#endif
