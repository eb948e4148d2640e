#define _GNU_SOURCE
#include "store/recipes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *recipes_dir(void)
{
	static char *dir;
	if (!dir)
		dir = data_dir("GLIBC_MATRIX_RECIPES", "sysroots", "versions.tsv");
	return dir;
}

void recipe_release(struct recipe *r)
{
	free(r->version);
	free(r->sha256);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

void recipes_free(struct recipe *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		recipe_release(&v[i]);
	free(v);
}

/* Cuts the next line out of *p (NUL-terminating it in place), advances *p
 * past it and counts it; NULL at the end of the text. */
static char *next_line(char **p, size_t *lineno)
{
	if (!**p)
		return NULL;
	char *line = *p;
	size_t len = strcspn(line, "\n");
	*p += len + (line[len] == '\n');
	line[len] = '\0';
	(*lineno)++;
	return line;
}

/* Splits a data line into at most max blank-separated fields; returns count.
 * Comments (#) and blank lines give 0. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL;
	if (*str_trim(line) == '#' || !*str_trim(line))
		return 0;
	for (char *t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	return n;
}

/* Looks key up in column `in` of suites.tsv and returns column 1 - in. */
static int suites_lookup(const char *key, int in, char **ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(recipes_dir(), "suites.tsv");
	cleanup_free char *text = NULL;
	if (!path_exists(path) || read_file(path, &text, NULL, err) < 0)
		return path_exists(path) ? -1 : 0;
	size_t lineno = 0;
	char *line, *p = text;
	while ((line = next_line(&p, &lineno))) {
		char *f[3];
		int k = fields(line, f, 3);
		if (k == 0)
			continue;
		if (k != 2 || !version_valid(f[1]))
			return gm_infra(err, 0, "'%s': malformed line %zu (want: suite glibc-version)",
					path, lineno);
		if (strcmp(f[in], key) == 0) {
			*ret = xstrdup(f[1 - in]);
			return 1;
		}
	}
	return 0;
}

int recipes_suite_for_version(const char *version, char **ret, struct gm_err **err)
{
	return suites_lookup(version, 1, ret, err);
}

int recipes_version_of_suite(const char *suite, char **ret, struct gm_err **err)
{
	return suites_lookup(suite, 0, ret, err);
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int recipes_versions_parse(const char *text, const char *file, struct recipe **ret,
			   size_t *ret_n, struct gm_err **err)
{
	cleanup_free char *copy = xstrdup(text);
	struct recipe *v = NULL;
	size_t n = 0, lineno = 0;

	char *line, *p = copy;
	while ((line = next_line(&p, &lineno))) {
		char *f[4];
		int k = fields(line, f, 4);
		if (k == 0)
			continue;
		if (k != 3 || !version_valid(f[0]) || !is_hex64(f[1])) {
			recipes_free(v, n);
			return gm_infra(err, 0,
					"'%s': malformed line %zu (want: version sha256 archive-path)",
					file, lineno);
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].version = xstrdup(f[0]);
		v[n].sha256 = xstrdup(f[1]);
		v[n].path = xstrdup(f[2]);
		n++;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int recipes_versions(struct recipe **ret, size_t *ret_n, struct gm_err **err)
{
	cleanup_free char *path = path_join(recipes_dir(), "versions.tsv");
	cleanup_free char *text = NULL;

	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "recipes (set GLIBC_MATRIX_RECIPES to the sysroots/ directory)");
	return recipes_versions_parse(text, path, ret, ret_n, err);
}

int recipes_find(const char *version, struct recipe *ret, struct gm_err **err)
{
	struct recipe *v;
	size_t n;
	int found = 0;
	if (recipes_versions(&v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!found && strcmp(v[i].version, version) == 0) {
			*ret = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			found = 1;
		}
	recipes_free(v, n);
	return found;
}

static int when_matches(const char *when, const char *version, const char *host, bool *ret)
{
	if (strcmp(when, "*") == 0)
		*ret = true;
	else if (strcmp(when, "<host") == 0)
		*ret = version_cmp(version, host) < 0;
	else if (when[0] == '<' && version_valid(when + 1))
		*ret = version_cmp(version, when + 1) < 0;
	else if (str_starts(when, ">=") && version_valid(when + 2))
		*ret = version_cmp(version, when + 2) >= 0;
	else
		return -1;
	return 0;
}

int quirks_parse(const char *text, const char *file, const char *version,
		 const char *host_version, struct quirks *q, struct gm_err **err)
{
	cleanup_free char *copy = xstrdup(text);
	size_t lineno = 0;
	memset(q, 0, sizeof(*q));
	q->configure_args = xcalloc(1, sizeof(char *));
	q->applied = xcalloc(1, sizeof(char *));

	char *line, *p = copy;
	while ((line = next_line(&p, &lineno))) {
		char *f[3] = {NULL, NULL, NULL};
		int k = fields(line, f, 3);
		bool match;
		if (k == 0)
			continue;
		if (k < 2 || when_matches(f[0], version, host_version, &match) < 0) {
			quirks_release(q);
			return gm_infra(err, 0, "'%s': line %zu: bad condition or missing action", file,
					lineno);
		}
		if (!match)
			continue;
		if (strcmp(f[1], "stub-manual") == 0 && k == 2) {
			q->stub_manual = true;
		} else if (strcmp(f[1], "errno-texi") == 0 && k == 2) {
			q->errno_texi = true;
		} else if (strcmp(f[1], "configure-arg") == 0 && k == 3) {
			strv_push(&q->configure_args, f[2]);
		} else {
			quirks_release(q);
			return gm_infra(err, 0, "'%s': line %zu: unknown action '%s' or wrong arguments",
					file, lineno, f[1]);
		}
		strv_push_take(&q->applied, xasprintf("%s %s%s%s", f[0], f[1], k == 3 ? " " : "",
						      k == 3 ? f[2] : ""));
	}
	return 0;
}

int recipes_quirks(const char *version, struct quirks *ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(recipes_dir(), "quirks.tsv");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "recipes");
	return quirks_parse(text, path, version, gnu_get_libc_version(), ret, err);
}

void quirks_release(struct quirks *q)
{
	strv_free(q->configure_args);
	strv_free(q->applied);
	memset(q, 0, sizeof(*q));
}
