/* A map from strings to indexes (open addressing, FNV-1a), for the places
 * that find a name among many: grid rows and columns, a document's
 * subjects.  Keys are copied; values are what the caller numbers. */
#ifndef GM_STRMAP_H
#define GM_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap {
	char **keys;      /* NULL: a free slot */
	size_t *values;
	size_t cap, n;    /* cap a power of two, n < cap / 2 */
};

#define STRMAP_INIT {0}

/* true and *value when key is in the map. */
bool strmap_get(const struct strmap *m, const char *key, size_t *value);
/* Adds key with value unless it is there; either way returns its value. */
size_t strmap_intern(struct strmap *m, const char *key, size_t value);
/* Adds key or gives it the new value. */
void strmap_set(struct strmap *m, const char *key, size_t value);
void strmap_release(struct strmap *m);

#endif
