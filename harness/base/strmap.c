#include "base/strmap.h"
#include "base/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The slot of key, or of the free slot where it would go. */
static size_t slot(const struct strmap *m, const char *key)
{
	size_t i = fnv1a(key) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void grow(struct strmap *m)
{
	struct strmap bigger = {
		.cap = m->cap ? 2 * m->cap : 16,
	};
	bigger.keys = xcalloc(bigger.cap, sizeof(char *));
	bigger.values = xcalloc(bigger.cap, sizeof(size_t));
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			size_t s = slot(&bigger, m->keys[i]);
			bigger.keys[s] = m->keys[i];
			bigger.values[s] = m->values[i];
		}
	bigger.n = m->n;
	free(m->keys);
	free(m->values);
	*m = bigger;
}

bool strmap_get(const struct strmap *m, const char *key, size_t *value)
{
	if (!m->cap)
		return false;
	size_t s = slot(m, key);
	if (!m->keys[s])
		return false;
	*value = m->values[s];
	return true;
}

/* The slot of key, added (with value) when missing; overwrite: the value
 * of a key already there is replaced too. */
static size_t put(struct strmap *m, const char *key, size_t value, bool overwrite)
{
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	size_t s = slot(m, key);
	if (!m->keys[s]) {
		m->keys[s] = xstrdup(key);
		m->n++;
		overwrite = true;
	}
	if (overwrite)
		m->values[s] = value;
	return s;
}

size_t strmap_intern(struct strmap *m, const char *key, size_t value)
{
	/* put may grow the arrays: index them after it. */
	size_t s = put(m, key, value, false);
	return m->values[s];
}

void strmap_set(struct strmap *m, const char *key, size_t value)
{
	put(m, key, value, true);
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->values);
	*m = (struct strmap)STRMAP_INIT;
}
