#define _GNU_SOURCE
#include "probes/cases.h"
#include "base/cleanup.h"
#include "store/store.h"
#include "verdict/outcome.h"
#include "base/fs.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void case_release(struct gm_case *c)
{
	free(c->name);
	strv_free(c->sources);
	strv_free(c->cflags);
	strv_free(c->ldflags);
	free(c->plugin);
	strv_free(c->plugin_cflags);
	free(c->library);
	free(c->min_glibc);
	free(c->node);
	free(c->exercises);
	strv_free(c->runtime);
	memset(c, 0, sizeof(*c));
}

static int finish_case(struct gm_case *c, const char *file, size_t line, struct gm_err **err)
{
	if (!c->name)
		return 0;
	if (!strv_len(c->sources))
		return gm_infra(err, 0, "'%s': case '%s' (ending at line %zu) has no sources", file,
				c->name, line);
	if (!c->node)
		c->node = xstrdup("none");
	if (!c->exercises)
		c->exercises = xstrdup("");
	return 0;
}

static int set_key(struct gm_case *c, const char *key, const char *val, const char *file,
		   size_t line, struct gm_err **err)
{
	if (strcmp(key, "lang") == 0) {
		if (strcmp(val, "c") && strcmp(val, "c++"))
			return gm_infra(err, 0, "'%s':%zu: lang must be c or c++", file, line);
		c->cxx = strcmp(val, "c++") == 0;
	} else if (strcmp(key, "sources") == 0) {
		strv_free(c->sources);
		c->sources = strv_split(val, " \t");
	} else if (strcmp(key, "cflags") == 0) {
		strv_free(c->cflags);
		c->cflags = strv_split(val, " \t");
	} else if (strcmp(key, "ldflags") == 0) {
		strv_free(c->ldflags);
		c->ldflags = strv_split(val, " \t");
	} else if (strcmp(key, "plugin") == 0) {
		free(c->plugin);
		c->plugin = *val ? xstrdup(val) : NULL;
	} else if (strcmp(key, "library") == 0) {
		free(c->library);
		c->library = *val ? xstrdup(val) : NULL;
	} else if (strcmp(key, "plugin_cflags") == 0) {
		strv_free(c->plugin_cflags);
		c->plugin_cflags = strv_split(val, " \t");
	} else if (strcmp(key, "min_glibc") == 0) {
		if (*val && !version_valid(val))
			return gm_infra(err, 0, "'%s':%zu: min_glibc '%s' is not a version", file, line, val);
		free(c->min_glibc);
		c->min_glibc = *val ? xstrdup(val) : NULL;
	} else if (strcmp(key, "node") == 0) {
		free(c->node);
		c->node = xstrdup(*val ? val : "none");
	} else if (strcmp(key, "portable") == 0) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return gm_infra(err, 0, "'%s':%zu: portable must be yes or no", file, line);
		c->portable = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "test_only") == 0) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return gm_infra(err, 0, "'%s':%zu: test_only must be yes or no", file, line);
		c->test_only = strcmp(val, "yes") == 0;
	} else if (strcmp(key, "behaviour") == 0) {
		int o = gm_outcome_parse(val);
		if (o < 0 || !gm_outcome_is_behaviour(o))
			return gm_infra(err, 0, "'%s':%zu: behaviour must be crash, timeout or failed",
					file, line);
		c->behaviour = o;
	} else if (strcmp(key, "runtime") == 0) {
		strv_free(c->runtime);
		c->runtime = strv_split(val, " \t");
		for (size_t i = 0; c->runtime[i]; i++)
			if (!strchr(c->runtime[i], ':'))
				return gm_infra(err, 0, "'%s':%zu: runtime entry '%s' is not library:symbol",
						file, line, c->runtime[i]);
	} else if (strcmp(key, "exercises") == 0) {
		free(c->exercises);
		c->exercises = xstrdup(val);
	} else {
		return gm_infra(err, 0, "'%s':%zu: unknown key '%s'", file, line, key);
	}
	return 0;
}

int cases_parse(const char *text, const char *file, struct gm_cases *ret, struct gm_err **err)
{
	cleanup_free char *copy = xstrdup(text);
	struct gm_case cur = {0};
	size_t line = 0;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	for (char *p = copy; *p && r == 0;) {
		size_t len = strcspn(p, "\n");
		char *l = p;
		p += len + (p[len] == '\n');
		l[len] = '\0';
		line++;
		l = str_trim(l);
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (!end || end[1] || end == l + 1) {
				r = gm_infra(err, 0, "'%s':%zu: bad section header", file, line);
				break;
			}
			if ((r = finish_case(&cur, file, line, err)) < 0)
				break;
			if (cur.name) {
				ret->v = xrealloc(ret->v, (ret->n + 1) * sizeof(*ret->v));
				ret->v[ret->n++] = cur;
				memset(&cur, 0, sizeof(cur));
			}
			*end = '\0';
			/* The name becomes a directory in the store
			 * (probes/<sysroot>/<case>-<key>): one safe component. */
			if (!store_name_valid(l + 1)) {
				r = gm_infra(err, 0,
					     "'%s':%zu: case name '%s' is not valid (letters, digits, "
					     "'._+-', not starting with '.' or '-', at most 64)",
					     file, line, l + 1);
				break;
			}
			cur.name = xstrdup(l + 1);
			cur.sources = xcalloc(1, sizeof(char *));
			cur.cflags = xcalloc(1, sizeof(char *));
			cur.ldflags = xcalloc(1, sizeof(char *));
			cur.plugin_cflags = xcalloc(1, sizeof(char *));
			cur.runtime = xcalloc(1, sizeof(char *));
			if (cases_find(ret, cur.name)) {
				r = gm_infra(err, 0, "'%s':%zu: case '%s' defined twice", file, line, cur.name);
				break;
			}
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq || !cur.name) {
			r = gm_infra(err, 0, "'%s':%zu: expected 'key = value' inside a [case]", file, line);
			break;
		}
		*eq = '\0';
		r = set_key(&cur, str_trim(l), str_trim(eq + 1), file, line, err);
	}
	if (r == 0 && (r = finish_case(&cur, file, line, err)) == 0 && cur.name) {
		ret->v = xrealloc(ret->v, (ret->n + 1) * sizeof(*ret->v));
		ret->v[ret->n++] = cur;
		memset(&cur, 0, sizeof(cur));
	}
	case_release(&cur);
	if (r < 0)
		cases_release(ret);
	return r;
}

int cases_load(const struct gm_config *cfg, struct gm_cases *ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->cases, "cases.ini");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "cases (set GLIBC_MATRIX_CASES to the cases/ directory)");
	if (cases_parse(text, path, ret, err) < 0)
		return -1;
	ret->dir = xstrdup(cfg->cases);
	return 0;
}

void cases_release(struct gm_cases *c)
{
	for (size_t i = 0; i < c->n; i++)
		case_release(&c->v[i]);
	free(c->v);
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

const struct gm_case *cases_find(const struct gm_cases *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}
