#define _GNU_SOURCE
#include "verdict/causes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/tsv.h"
#include "base/util.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int causes_parse(const char *text, const char *path, struct causes *c, struct gm_err **err)
{
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	struct tsv t;
	int r;
	tsv_init(&t, path, text);
	while ((r = tsv_next(&t, 6, 6, "id, symbols, nodes, cause, remedy, proof", err)) == 1) {
		c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
		struct cause *row = &c->v[c->n++];
		row->id = xstrdup(t.f[0]);
		row->symbols = strv_split(t.f[1], ",");
		row->nodes = strv_split(t.f[2], ",");
		row->cause = xstrdup(t.f[3]);
		row->remedy = xstrdup(t.f[4]);
		row->proof = xstrdup(t.f[5]);
	}
	tsv_release(&t);
	if (r < 0)
		causes_release(c);
	return r < 0 ? -1 : 0;
}

int causes_load(const struct gm_config *cfg, struct causes *ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->recipes, "causes.tsv");
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
