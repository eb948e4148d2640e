#define _GNU_SOURCE
#include "acquire/debindex.h"
#include "base/cleanup.h"
#include "acquire/debversion.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Iterates over the lines of text: *line and *len get the next line without its
 * newline.  Returns false at the end. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end || !**p)
		return false;
	const char *nl = memchr(*p, '\n', end - *p);
	const char *stop = nl ? nl : end;
	*line = *p;
	*len = stop - *p;
	*p = nl ? nl + 1 : end;
	/* Tolerate CRLF line ends in hand-made indexes. */
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

/* If line is "Name: value" for field (case-insensitive, as deb822 says),
 * returns the trimmed value. */
static char *field_value(const char *line, size_t len, const char *field)
{
	size_t fl = strlen(field);
	if (len <= fl || strncasecmp(line, field, fl) != 0 || line[fl] != ':')
		return NULL;
	const char *v = line + fl + 1, *e = line + len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return xstrndup(v, e - v);
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = tolower((unsigned char)*s);
}

/* Parses " hash size path" of a checksum section line. */
static bool checksum_line(const char *line, size_t len, const char *path, char ret_sha256[65],
			  unsigned long long *ret_size)
{
	cleanup_free char *copy = xstrndup(line, len);
	char *save = NULL;
	char *hash = strtok_r(copy, " \t", &save);
	char *size = hash ? strtok_r(NULL, " \t", &save) : NULL;
	char *name = size ? strtok_r(NULL, " \t", &save) : NULL;
	if (!name || strcmp(name, path) != 0 || !is_hex64(hash))
		return false;
	char *endp;
	unsigned long long n = strtoull(size, &endp, 10);
	if (*endp)
		return false;
	memcpy(ret_sha256, hash, 65);
	lower(ret_sha256);
	if (ret_size)
		*ret_size = n;
	return true;
}

bool debindex_release_sha256(const char *release, const char *path, char ret_sha256[65],
			     unsigned long long *ret_size)
{
	const char *p = release, *end = release + strlen(release), *line;
	size_t len;
	bool in_sha256 = false;

	while (next_line(&p, end, &line, &len)) {
		if (len && (line[0] == ' ' || line[0] == '\t')) {
			if (in_sha256 && checksum_line(line, len, path, ret_sha256, ret_size))
				return true;
			continue;
		}
		/* A new top-level field ends the previous section. */
		in_sha256 = len >= 7 && strncasecmp(line, "SHA256:", 7) == 0;
	}
	return false;
}

char *debindex_release_field(const char *release, const char *field)
{
	const char *p = release, *end = release + strlen(release), *line;
	size_t len;

	while (next_line(&p, end, &line, &len)) {
		/* A Release file is one stanza: a blank line ends it.  The text
		 * is gpgv's output, never a raw InRelease, whose armor would
		 * come first. */
		if (len == 0)
			break;
		char *v = field_value(line, len, field);
		if (v)
			return v;
	}
	return NULL;
}

bool debindex_release_by_hash(const char *release)
{
	cleanup_free char *v = debindex_release_field(release, "Acquire-By-Hash");
	return v && strcasecmp(v, "yes") == 0;
}

void debpkg_release(struct debpkg *p)
{
	free(p->package);
	free(p->version);
	free(p->architecture);
	free(p->filename);
	free(p->sha256);
	free(p->depends);
	free(p->section);
	free(p->multi_arch);
	memset(p, 0, sizeof(*p));
}

/* Stores value into *slot unless the field was already seen. */
static void keep(char **slot, char *value)
{
	if (*slot)
		free(value);
	else
		*slot = value;
}

bool debindex_parse_stanza(const char *text, size_t len, struct debpkg *ret)
{
	const char *p = text, *end = text + len, *line;
	size_t n;
	struct debpkg d = {0};
	char *v, *size = NULL, *dep = NULL, *predep = NULL;

	while (next_line(&p, end, &line, &n) && n > 0) {
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* continuation of a multi-line field (Description) */
		if ((v = field_value(line, n, "Package")))
			keep(&d.package, v);
		else if ((v = field_value(line, n, "Version")))
			keep(&d.version, v);
		else if ((v = field_value(line, n, "Architecture")))
			keep(&d.architecture, v);
		else if ((v = field_value(line, n, "Filename")))
			keep(&d.filename, v);
		else if ((v = field_value(line, n, "SHA256")))
			keep(&d.sha256, v);
		else if ((v = field_value(line, n, "Size")))
			keep(&size, v);
		else if ((v = field_value(line, n, "Depends")))
			keep(&dep, v);
		else if ((v = field_value(line, n, "Pre-Depends")))
			keep(&predep, v);
		else if ((v = field_value(line, n, "Section")))
			keep(&d.section, v);
		else if ((v = field_value(line, n, "Multi-Arch")))
			keep(&d.multi_arch, v);
	}
	d.depends = predep && dep ? xasprintf("%s, %s", predep, dep)
		    : xstrdup(predep ? predep : dep ? dep : "");
	free(dep);
	free(predep);
	if (!d.section)
		d.section = xstrdup("");
	if (!d.multi_arch)
		d.multi_arch = xstrdup("");
	if (size) {
		char *endp;
		d.size = strtoull(size, &endp, 10);
		free(size);
	}
	/* "Version:" with nothing after it is present but no version (found by
	 * tests/fuzz/fuzz-debindex.c): it must not win or lose a comparison. */
	if (!d.package || !d.version || !*d.version || !d.filename || !d.sha256 ||
	    !is_hex64(d.sha256) ||
	    !*d.filename || d.filename[0] == '/' || strstr(d.filename, "..")) {
		debpkg_release(&d);
		return false;
	}
	lower(d.sha256);
	if (!d.architecture)
		d.architecture = xstrdup("");
	*ret = d;
	return true;
}

/* End of the stanza starting at p: the blank line after it or the end. */
static const char *stanza_end(const char *p)
{
	const char *e = strstr(p, "\n\n");
	return e ? e + 1 : p + strlen(p);
}

bool debindex_find(const char *packages, const char *name, const char *arch,
		   struct debpkg *ret)
{
	/* Searching for the exact "Package: name" line instead of parsing every
	 * stanza keeps a 60 MB index at a few milliseconds per package. */
	cleanup_free char *needle = xasprintf("\nPackage: %s\n", name);
	const char *needle_start = needle + 1; /* the same line at the very start */
	struct debpkg best = {0};
	bool found = false;
	const char *p = packages;

	for (;;) {
		const char *hit;
		if (p == packages && str_starts(packages, needle_start))
			hit = packages;
		else if ((hit = strstr(p, needle)))
			hit++;
		else
			break;
		const char *e = stanza_end(hit);
		struct debpkg d = {0};
		if (debindex_parse_stanza(hit, e - hit, &d) && strcmp(d.package, name) == 0 &&
		    (strcmp(d.architecture, arch) == 0 || strcmp(d.architecture, "all") == 0) &&
		    (!found || debversion_cmp(d.version, best.version) > 0)) {
			debpkg_release(&best);
			best = d;
			found = true;
		} else {
			debpkg_release(&d);
		}
		p = e;
		if (!*p)
			break;
	}
	if (found)
		*ret = best;
	return found;
}

/* One alternative of a clause: "name", "name:any", "name (>= 1)",
 * "name [amd64]", "name <!nocheck>"; returns the name, or NULL if empty. */
static char *alternative_name(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	size_t k = 0;
	while (k < n && !isspace((unsigned char)s[k]) && !strchr("(:[<", s[k]))
		k++;
	return k ? xstrndup(s, k) : NULL;
}

char ***debindex_depends(const char *value)
{
	char ***clauses = xcalloc(1, sizeof(char **));
	size_t n = 0;
	const char *p = value;
	while (*p) {
		size_t len = strcspn(p, ",");
		char **alts = xcalloc(1, sizeof(char *));
		for (const char *a = p, *end = p + len; a < end;) {
			size_t alen = strcspn(a, "|");
			if (a + alen > end)
				alen = end - a;
			char *name = alternative_name(a, alen);
			if (name)
				strv_push_take(&alts, name);
			a += alen + (a + alen < end);
		}
		if (alts[0]) {
			clauses = xrealloc(clauses, (n + 2) * sizeof(char **));
			clauses[n++] = alts;
			clauses[n] = NULL;
		} else {
			strv_free(alts);
		}
		p += len + (p[len] == ',');
	}
	return clauses;
}

void debindex_depends_free(char ***clauses)
{
	for (size_t i = 0; clauses && clauses[i]; i++)
		strv_free(clauses[i]);
	free(clauses);
}

bool debpkg_is_runtime_library(const struct debpkg *p)
{
	const char *slash = strrchr(p->section, '/');
	const char *sec = slash ? slash + 1 : p->section;
	return strcmp(p->multi_arch, "same") == 0 &&
	       (strcmp(sec, "libs") == 0 || strcmp(sec, "oldlibs") == 0);
}
