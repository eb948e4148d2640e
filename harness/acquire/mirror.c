#define _GNU_SOURCE
#include "acquire/mirror.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 2: a Debian codename or alias; 1: another plain suite; 0: -security,
 * -updates, -backports or a path.  Third-party repositories (plain suites
 * such as "nodistro") must not win over the Debian archive. */
static int suite_rank(const char *suite)
{
	static const char *const debian[] = {
		"buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
		"unstable", "testing", "stable", "oldstable", "experimental", NULL,
	};
	if (!*suite || strchr(suite, '-') || strchr(suite, '/'))
		return 0;
	for (size_t i = 0; debian[i]; i++)
		if (strcmp(suite, debian[i]) == 0)
			return 2;
	return 1;
}

/* An archive root: http(s) with a host, or file: with a path that is more
 * than slashes ("https://" alone became "https:" once trailing slashes were
 * cut; found by tests/fuzz/fuzz-mirror.c). */
static bool usable_uri(const char *uri)
{
	const char *rest = str_starts(uri, "http://")	 ? uri + 7
			   : str_starts(uri, "https://") ? uri + 8
							 : NULL;
	if (rest)
		return *rest && *rest != '/';
	return str_starts(uri, "file:/") && uri[5 + strspn(uri + 5, "/")];
}

/* Keeps the first usable URI of the highest rank. */
static void consider(char **best, int *best_rank, const char *uri, int rank)
{
	if (!usable_uri(uri) || (*best && *best_rank >= rank))
		return;
	free(*best);
	*best = xstrdup(uri);
	size_t n = strlen(*best);
	while (n && (*best)[n - 1] == '/')
		(*best)[--n] = '\0';
	*best_rank = rank;
}

struct stanza {
	char *types, *uris, *suites, *enabled;
};

static void stanza_finish(struct stanza *s, char **best, int *best_rank)
{
	if (s->types && s->uris && s->suites &&
	    !(s->enabled && strcasecmp(str_trim(s->enabled), "no") == 0)) {
		bool deb = false;
		int rank = 0;
		char *save = NULL;
		for (char *t = strtok_r(s->types, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
			if (strcmp(t, "deb") == 0 || strcmp(t, "deb-src") == 0)
				deb = true;
		for (char *t = strtok_r(s->suites, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
			if (suite_rank(t) > rank)
				rank = suite_rank(t);
		if (deb)
			for (char *t = strtok_r(s->uris, " \t", &save); t;
			     t = strtok_r(NULL, " \t", &save))
				consider(best, best_rank, t, rank);
	}
	free(s->types);
	free(s->uris);
	free(s->suites);
	free(s->enabled);
	memset(s, 0, sizeof(*s));
}

char *mirror_parse_deb822(const char *text, int *ret_rank)
{
	struct stanza s = {0};
	char **field = NULL; /* the field a continuation line extends */
	char *best = NULL;
	int best_rank = -1;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		cleanup_free char *line = xstrndup(p, n);
		p += n + (p[n] == '\n');
		if (line[0] == '#')
			continue;
		if (!*str_trim(line)) {
			stanza_finish(&s, &best, &best_rank);
			field = NULL;
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (field && *field) {
				char *joined = xasprintf("%s %s", *field, str_trim(line));
				free(*field);
				*field = joined;
			}
			continue;
		}
		char *colon = strchr(line, ':');
		if (!colon) {
			field = NULL;
			continue;
		}
		*colon = '\0';
		char *name = str_trim(line), *value = str_trim(colon + 1);
		field = strcasecmp(name, "Types") == 0	  ? &s.types
			: strcasecmp(name, "URIs") == 0	   ? &s.uris
			: strcasecmp(name, "Suites") == 0   ? &s.suites
			: strcasecmp(name, "Enabled") == 0 ? &s.enabled
							   : NULL;
		if (field) {
			free(*field);
			*field = xstrdup(value);
		}
	}
	stanza_finish(&s, &best, &best_rank);
	if (ret_rank)
		*ret_rank = best_rank;
	return best;
}

char *mirror_parse_oneline(const char *text, int *ret_rank)
{
	char *best = NULL;
	int best_rank = -1;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");
		cleanup_free char *line = xstrndup(p, n);
		p += n + (p[n] == '\n');
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *save = NULL;
		char *type = strtok_r(line, " \t", &save);
		if (!type || (strcmp(type, "deb") && strcmp(type, "deb-src")))
			continue;
		char *tok = strtok_r(NULL, " \t", &save);
		/* Options: "[arch=amd64 signed-by=...]" may span several tokens. */
		if (tok && tok[0] == '[') {
			while (tok && !strchr(tok, ']'))
				tok = strtok_r(NULL, " \t", &save);
			tok = tok ? strtok_r(NULL, " \t", &save) : NULL;
		}
		char *suite = tok ? strtok_r(NULL, " \t", &save) : NULL;
		if (tok && suite)
			consider(&best, &best_rank, tok, suite_rank(suite));
	}
	if (ret_rank)
		*ret_rank = best_rank;
	return best;
}

static void keep_best(char **found, int *found_rank, char *cand, int rank)
{
	if (cand && (!*found || rank > *found_rank)) {
		free(*found);
		*found = cand;
		*found_rank = rank;
	} else {
		free(cand);
	}
}

int mirror_debian(const struct gm_config *cfg, char **ret_url, struct gm_err **err)
{
	const char *aptdir = cfg->apt_dir;
	char *found = NULL;
	int found_rank = -1, rank;

	if (cfg->mirror) {
		*ret_url = xstrdup(cfg->mirror);
		return 0;
	}

	cleanup_free char *dir = path_join(aptdir, "sources.list.d");
	struct dirent **names = NULL;
	int count = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < count; i++) {
		const char *nm = names[i]->d_name;
		bool d822 = str_ends(nm, ".sources"), one = str_ends(nm, ".list");
		if (d822 || one) {
			cleanup_free char *path = path_join(dir, nm);
			cleanup_free char *text = NULL;
			if (read_file(path, &text, NULL, NULL) == 0) {
				char *c = d822 ? mirror_parse_deb822(text, &rank)
					       : mirror_parse_oneline(text, &rank);
				keep_best(&found, &found_rank, c, rank);
			}
		}
		free(names[i]);
	}
	free(names);
	{
		cleanup_free char *path = path_join(aptdir, "sources.list");
		cleanup_free char *text = NULL;
		if (read_file(path, &text, NULL, NULL) == 0) {
			char *c = mirror_parse_oneline(text, &rank);
			keep_best(&found, &found_rank, c, rank);
		}
	}
	if (!found)
		return gm_infra(err, 0,
				"no Debian archive found in '%s' (sources.list, sources.list.d/); "
				"set GLIBC_MATRIX_MIRROR to the archive's URL (the GitHub Action's "
				"input 'mirror')",
				aptdir);
	if (found_rank < 2) {
		/* An Ubuntu runner's sources name noble, jammy...: importing
		 * bookworm from there can only fail later, less clearly. */
		int r = gm_infra(err, 0,
				 "apt's sources in '%s' name no Debian suite (the best, '%s', "
				 "serves other suites: not a Debian archive); set "
				 "GLIBC_MATRIX_MIRROR to a Debian archive's URL (the GitHub Action's "
				 "input 'mirror')",
				 aptdir, found);
		free(found);
		return r;
	}
	*ret_url = found;
	return 0;
}
