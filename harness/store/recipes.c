#define _GNU_SOURCE
#include "store/recipes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/tsv.h"
#include "base/util.h"

#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int recipes_open(const struct gm_config *cfg, const char *file, struct tsv *t,
		 struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->recipes, file);
	if (!path_exists(path))
		return 0;
	return tsv_open(t, path, err) < 0 ? -1 : 1;
}

int recipes_version_field(struct tsv *t, size_t i, struct gm_err **err)
{
	return version_valid(t->f[i]) ? 1 : tsv_error(t, err, "'%s' is not a glibc version", t->f[i]);
}

/* Looks key up in column `in` of suites.tsv and returns column 1 - in. */
static int suites_lookup(const struct gm_config *cfg, const char *key, int in, char **ret, struct gm_err **err)
{
	struct tsv t;
	int r = recipes_open(cfg, "suites.tsv", &t, err);
	if (r <= 0)
		return r;
	while ((r = tsv_next(&t, 2, 2, "suite, glibc-version", err)) == 1) {
		if ((r = recipes_version_field(&t, 1, err)) < 0)
			break;
		if (strcmp(t.f[in], key) == 0) {
			*ret = xstrdup(t.f[1 - in]);
			break;
		}
	}
	tsv_release(&t);
	return r;
}

int recipes_suite_for_version(const struct gm_config *cfg, const char *version, char **ret, struct gm_err **err)
{
	return suites_lookup(cfg, version, 1, ret, err);
}

int recipes_version_of_suite(const struct gm_config *cfg, const char *suite, char **ret, struct gm_err **err)
{
	return suites_lookup(cfg, suite, 0, ret, err);
}

static bool is_hex64(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

int recipes_versions_parse(const char *text, const char *file, struct recipe **ret,
			   size_t *ret_n, struct gm_err **err)
{
	struct tsv t;
	struct recipe *v = NULL;
	size_t n = 0;
	int r;
	tsv_init(&t, file, text);
	while ((r = tsv_next(&t, 3, 3, "version, sha256, archive-path or file name", err)) == 1) {
		if (!version_valid(t.f[0]) || !is_hex64(t.f[1])) {
			r = tsv_error(&t, err, "'%s' is not a glibc version or '%s' not a sha256",
				      t.f[0], t.f[1]);
			break;
		}
		if (strcmp(t.f[2], ".") == 0 || strcmp(t.f[2], "..") == 0) {
			r = tsv_error(&t, err, "'%s' is neither an archive path nor a file name", t.f[2]);
			break;
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].local = !strchr(t.f[2], '/');
		v[n].version = xstrdup(t.f[0]);
		v[n].sha256 = xstrdup(t.f[1]);
		v[n].path = xstrdup(t.f[2]);
		n++;
	}
	tsv_release(&t);
	if (r < 0) {
		recipes_free(v, n);
		return -1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int recipes_versions(const struct gm_config *cfg, struct recipe **ret, size_t *ret_n, struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->recipes, "versions.tsv");
	cleanup_free char *text = NULL;

	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "recipes (set GLIBC_MATRIX_RECIPES to the sysroots/ directory)");
	return recipes_versions_parse(text, path, ret, ret_n, err);
}

int recipes_find(const struct gm_config *cfg, const char *version, struct recipe *ret, struct gm_err **err)
{
	struct recipe *v;
	size_t n;
	int found = 0;
	if (recipes_versions(cfg, &v, &n, err) < 0)
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

static int when_one(const char *when, const char *version, const char *host, bool *ret)
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

/* when is one condition or several joined by ',' (a range: ">=2.18,<2.28"),
 * all of which must hold. */
static int when_matches(const char *when, const char *version, const char *host, bool *ret)
{
	cleanup_free char *copy = xstrdup(when);
	char *save = NULL;
	bool all = true, any = false;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bool one;
		if (when_one(w, version, host, &one) < 0)
			return -1;
		all = all && one;
		any = true;
	}
	if (!any || when[strlen(when) - 1] == ',' || strstr(when, ",,") || when[0] == ',')
		return -1;
	*ret = all;
	return 0;
}

/* Applies the current row of t (when, action[, argument]) to q. */
/* A replace row's file: relative, inside the tree, no ".." component. */
static bool replace_path_ok(const char *file)
{
	if (file[0] == '/')
		return false;
	for (const char *p = file; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && strncmp(p, "..", 2) == 0)
			return false;
		p += n;
		p += *p == '/';
	}
	return true;
}

static int quirk_row(const struct tsv *t, const char *version, const char *host_version,
		     struct quirks *q, struct gm_err **err)
{
	bool match;
	size_t nargs = t->n - 2;
	if (when_matches(t->f[0], version, host_version, &match) < 0)
		return tsv_error(t, err, "bad condition '%s'", t->f[0]);
	const char *action = t->f[1];
	bool known = (strcmp(action, "stub-manual") == 0 && nargs == 0) ||
		     (strcmp(action, "errno-texi") == 0 && nargs == 0) ||
		     (strcmp(action, "configure-arg") == 0 && nargs == 1) ||
		     (strcmp(action, "replace") == 0 && nargs == 3);
	if (!known)
		return tsv_error(t, err, "unknown action '%s' or wrong arguments", action);
	if (strcmp(action, "replace") == 0 && !replace_path_ok(t->f[2]))
		return tsv_error(t, err, "replace: '%s' is not a relative path inside the source tree",
				 t->f[2]);
	if (!match)
		return 0;
	if (strcmp(action, "stub-manual") == 0)
		q->stub_manual = true;
	else if (strcmp(action, "errno-texi") == 0)
		q->errno_texi = true;
	else if (strcmp(action, "configure-arg") == 0)
		strv_push(&q->configure_args, t->f[2]);
	else {
		q->replace = xrealloc(q->replace, (q->n_replace + 1) * sizeof(*q->replace));
		q->replace[q->n_replace++] = (struct quirk_replace){
			xstrdup(t->f[2]), xstrdup(t->f[3]), xstrdup(t->f[4])};
	}
	struct strbuf line = STRBUF_INIT;
	strbuf_addf(&line, "%s %s", t->f[0], action);
	for (size_t i = 2; i < t->n; i++)
		strbuf_addf(&line, " %s", t->f[i]);
	strv_push_take(&q->applied, strbuf_detach(&line));
	return 0;
}

int quirks_parse(const char *text, const char *file, const char *version,
		 const char *host_version, struct quirks *q, struct gm_err **err)
{
	struct tsv t;
	int r;
	memset(q, 0, sizeof(*q));
	q->configure_args = xcalloc(1, sizeof(char *));
	q->applied = xcalloc(1, sizeof(char *));
	tsv_init(&t, file, text);
	while ((r = tsv_next(&t, 2, 5, "when, action, [arguments]", err)) == 1)
		if ((r = quirk_row(&t, version, host_version, q, err)) < 0)
			break;
	tsv_release(&t);
	if (r < 0)
		quirks_release(q);
	return r < 0 ? -1 : 0;
}

int recipes_quirks(const struct gm_config *cfg, const char *version, struct quirks *ret, struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->recipes, "quirks.tsv");
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return gm_err_wrap(err, "recipes");
	return quirks_parse(text, path, version, gnu_get_libc_version(), ret, err);
}

void quirks_release(struct quirks *q)
{
	strv_free(q->configure_args);
	strv_free(q->applied);
	for (size_t i = 0; i < q->n_replace; i++) {
		free(q->replace[i].file);
		free(q->replace[i].old);
		free(q->replace[i].new_text);
	}
	free(q->replace);
	memset(q, 0, sizeof(*q));
}
