#define _GNU_SOURCE
#include "acquire/debcontents.h"
#include "acquire/archive.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <string.h>

/* main/Contents-amd64 of trixie is 170 MB; a bound an order above it. */
#define CONTENTS_MAX (2ull << 30)

static bool is_library_name(const char *name)
{
	const char *so = strstr(name, ".so");
	if (!so || so == name)
		return false;
	/* libfoo.so, libfoo.so.1, libfoo.so.1.2.3 (not libfoo.so-gdb.py) */
	for (const char *p = so; p; p = strstr(p + 1, ".so"))
		if (p[3] == '\0' || p[3] == '.')
			return true;
	return false;
}

bool is_lib_dir(const char *dir, size_t len, const char *triplet)
{
	static const char *const roots[] = {"lib", "usr/lib", "lib64", "usr/lib64"};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t r = strlen(roots[i]);
		if (len < r || strncmp(dir, roots[i], r) != 0)
			continue;
		if (len == r)
			return true;
		if (dir[r] == '/' && len - r - 1 == strlen(triplet) &&
		    strncmp(dir + r + 1, triplet, len - r - 1) == 0)
			return true;
	}
	return false;
}

bool debcontents_line(char *line, const char *triplet, const char **ret_name, char **ret_pkgs)
{
	char *end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	char *sep = end;
	while (sep > line && sep[-1] != ' ' && sep[-1] != '\t')
		sep--;
	if (sep == line)
		return false;
	char *loc = sep;
	while (sep > line && (sep[-1] == ' ' || sep[-1] == '\t'))
		*--sep = '\0';
	const char *slash = strrchr(line, '/');
	if (!slash || !is_library_name(slash + 1) ||
	    !is_lib_dir(line, (size_t)(slash - line), triplet))
		return false;
	/* "libs/libjq1,oldlibs/libfoo": the package names, without sections */
	struct strbuf b = STRBUF_INIT;
	char *save = NULL;
	for (char *e = strtok_r(loc, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		const char *pkg = strrchr(e, '/');
		pkg = pkg ? pkg + 1 : e;
		if (!*pkg)
			continue;
		strbuf_addf(&b, "%s%s", b.len ? "," : "", pkg);
	}
	if (!b.len) {
		strbuf_release(&b);
		return false;
	}
	*ret_name = slash + 1;
	*ret_pkgs = strbuf_detach(&b);
	return true;
}

/* Adds name shipped by pkgs, merging with what an earlier directory of
 * the same name gave (lib/ and usr/lib/ both list a library in a
 * transition). */
static void table_add(struct debcontents *c, const char *name, char *pkgs)
{
	size_t at;
	if (strmap_get(&c->by_name, name, &at)) {
		cleanup_strv char **have = strv_split(c->pkgs[at], ",");
		cleanup_strv char **more = strv_split(pkgs, ",");
		bool grew = false;
		for (size_t i = 0; more[i]; i++)
			if (!strv_contains(have, more[i])) {
				strv_push(&have, more[i]);
				grew = true;
			}
		if (grew) {
			struct strbuf b = STRBUF_INIT;
			strbuf_join(&b, have, ",");
			free(c->pkgs[at]);
			c->pkgs[at] = strbuf_detach(&b);
		}
		free(pkgs);
		return;
	}
	c->names = xrealloc(c->names, (c->n + 1) * sizeof(char *));
	c->pkgs = xrealloc(c->pkgs, (c->n + 1) * sizeof(char *));
	c->names[c->n] = xstrdup(name);
	c->pkgs[c->n] = pkgs;
	strmap_set(&c->by_name, name, c->n++);
}

struct scan {
	struct debcontents *c;
	const char *triplet;
};

static int scan_line(void *ctx, char *text, size_t len, struct gm_err **err)
{
	struct scan *s = ctx;
	const char *name;
	char *pkgs;
	(void)len;
	(void)err;
	if (debcontents_line(text, s->triplet, &name, &pkgs))
		table_add(s->c, name, pkgs);
	return 0;
}

static int table_write(const struct debcontents *c, const char *path, struct gm_err **err)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "# contents %s\n", c->contents_sha256);
	for (size_t i = 0; i < c->n; i++)
		strbuf_addf(&b, "%s\t%s\n", c->names[i], c->pkgs[i]);
	int r = write_file_atomic(path, strbuf_str(&b), b.len, 0644, err);
	strbuf_release(&b);
	return r;
}

int debcontents_make(const char *contents, const char *sha256, const char *triplet,
		     const char *path, struct debcontents *ret, struct gm_err **err)
{
	memset(ret, 0, sizeof(*ret));
	ret->contents_sha256 = xstrdup(sha256);
	struct scan s = {.c = ret, .triplet = triplet};
	if (archive_each_line(contents, CONTENTS_MAX, scan_line, &s, err) < 0 ||
	    table_write(ret, path, err) < 0) {
		debcontents_release(ret);
		return -1;
	}
	return 0;
}

int debcontents_load(const char *path, struct debcontents *ret, struct gm_err **err)
{
	cleanup_free char *text = NULL;
	memset(ret, 0, sizeof(*ret));
	if (!path_exists(path))
		return 1;
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	char *save = NULL;
	size_t line = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		line++;
		char *tab = strchr(l, '\t');
		if (line == 1 && str_starts(l, "# contents ") && !ret->contents_sha256) {
			ret->contents_sha256 = xstrdup(l + strlen("# contents "));
			continue;
		}
		if (!ret->contents_sha256 || !tab || tab == l || !tab[1] || strchr(tab + 1, '\t')) {
			debcontents_release(ret);
			return gm_infra(err, 0, "%s:%zu: not a library table line (remove the file: "
						"it is made again from the suite's Contents index)",
					path, line);
		}
		*tab = '\0';
		table_add(ret, l, xstrdup(tab + 1));
	}
	if (!ret->contents_sha256)
		return gm_infra(err, 0, "%s: empty library table (remove the file)", path);
	return 0;
}

const char *debcontents_find(const struct debcontents *c, const char *name)
{
	size_t at;
	return strmap_get(&c->by_name, name, &at) ? c->pkgs[at] : NULL;
}

void debcontents_release(struct debcontents *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		free(c->pkgs[i]);
	}
	free(c->names);
	free(c->pkgs);
	free(c->contents_sha256);
	strmap_release(&c->by_name);
	memset(c, 0, sizeof(*c));
}
