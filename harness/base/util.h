/* Small helpers shared by the harness: allocation that aborts on OOM (git's
 * x-wrappers), string vectors, paths and files.  File writers go through a
 * temporary name and rename(), so a reader never sees half a file. */
#ifndef GM_UTIL_H
#define GM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/err.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_push(char ***v, const char *s);      /* copies s */
void strv_push_take(char ***v, char *s);       /* takes s */
void strv_free(char **v);
bool strv_contains(char *const *v, const char *s);
char **strv_dup(char *const *v);                /* NULL gives an empty list */
/* The non-empty fields of s between any of the characters of seps (never
 * NULL: an empty vector when there are none). */
char **strv_split(const char *s, const char *seps);
/* Splits s into words as a POSIX shell does, without expansions: blanks
 * separate words; '...' is literal; "..." keeps blanks, with \" \\ \$ \`
 * escaped; a backslash outside quotes escapes the next character.  NULL
 * (and *why set to a static message) for an unterminated quote or a
 * trailing backslash. */
char **strv_split_words(const char *s, const char **why);

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
char *str_trim(char *s); /* in place; returns s advanced past blanks */

/* Compares dotted numeric versions ("2.31" < "2.36" < "2.36.1"). */
int version_cmp(const char *a, const char *b);
/* true if s looks like "N.N" or "N.N.N" */
bool version_valid(const char *s);




/* Current UTC time as RFC 3339. */
/* Levenshtein distance (insert, delete, substitute each cost 1): how far a
 * mistyped name is from a known one, for "did you mean". */
size_t edit_distance(const char *a, const char *b);

char *now_rfc3339(void);
double now_seconds(void); /* monotonic */

#endif
