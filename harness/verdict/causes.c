#define _GNU_SOURCE
#include "verdict/causes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "store/recipes.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int causes_parse(const char *text, const char *path, struct causes *c, struct gm_err **err)
{
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	cleanup_free char *copy = xstrdup(text);
	size_t lineno = 0;
	for (char *line = copy, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (!*line || *line == '#')
			continue;
		char *f[7];
		size_t nf = 0;
		for (char *p = line; p && nf < 7;) {
			f[nf++] = p;
			if ((p = strchr(p, '\t')))
				*p++ = '\0';
		}
		bool empty = false;
		for (size_t i = 0; i < nf; i++)
			empty |= !*(f[i] = str_trim(f[i]));
		if (nf != 6 || empty) {
			causes_release(c);
			return gm_infra(err, 0, "%s:%zu: want 6 tab-separated fields (id, symbols, "
					"nodes, cause, remedy, proof), none empty", path, lineno);
		}
		c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
		struct cause *r = &c->v[c->n++];
		r->id = xstrdup(f[0]);
		r->symbols = strv_split(f[1], ",");
		r->nodes = strv_split(f[2], ",");
		r->cause = xstrdup(f[3]);
		r->remedy = xstrdup(f[4]);
		r->proof = xstrdup(f[5]);
	}
	return 0;
}

int causes_load(struct causes *ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(recipes_dir(), "causes.tsv");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "causes table");
	return causes_parse(text, path, ret, err);
}

void causes_release(struct causes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		strv_free(c->v[i].symbols);
		strv_free(c->v[i].nodes);
		free(c->v[i].cause);
		free(c->v[i].remedy);
		free(c->v[i].proof);
	}
	free(c->v);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

static bool any_match(char *const *globs, const char *s)
{
	for (size_t i = 0; globs[i]; i++)
		if (strcmp(globs[i], "*") == 0 || (s && fnmatch(globs[i], s, 0) == 0))
			return true;
	return false;
}

const struct cause *causes_match(const struct causes *c, const char *node, const char *symbol)
{
	for (size_t i = 0; node && i < c->n; i++)
		if (any_match(c->v[i].nodes, node) && any_match(c->v[i].symbols, symbol))
			return &c->v[i];
	return NULL;
}

size_t causes_group(const struct causes *c, const char *node, char *const *symbols,
		    struct cause_group **ret)
{
	struct cause_group *g = NULL;
	size_t n = 0;
	size_t n_sym = strv_len(symbols);
	for (size_t i = 0; i < (n_sym ? n_sym : 1); i++) {
		const char *sym = n_sym ? symbols[i] : NULL;
		const struct cause *k = causes_match(c, node, sym);
		size_t j = 0;
		while (j < n && g[j].cause != k)
			j++;
		if (j == n) {
			g = xrealloc(g, (n + 1) * sizeof(*g));
			g[n++] = (struct cause_group){.cause = k, .symbols = xcalloc(1, sizeof(char *))};
		}
		if (sym)
			strv_push(&g[j].symbols, sym);
	}
	*ret = g;
	return n;
}

void cause_groups_free(struct cause_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strv_free(g[i].symbols);
	free(g);
}
