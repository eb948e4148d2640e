#define _GNU_SOURCE
#include "base/util.h"
#include "base/cleanup.h"
#include "base/strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);
	if (!r)
		abort();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (!r)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	return r;
}

void gm_strv_freep(char ***v)
{
	strv_free(*v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_push_take(char ***v, char *s)
{
	size_t n = strv_len(*v);
	/* Grow by doubling: the block's real size says whether a slot is free
	 * (vectors are malloc'd however they were made), so pushes do not
	 * realloc each time. */
	if (!*v || malloc_usable_size(*v) < (n + 2) * sizeof(char *))
		*v = xrealloc(*v, 2 * (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void strv_push(char ***v, const char *s)
{
	strv_push_take(v, xstrdup(s));
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_split_words(const char *s, const char **why)
{
	char **v = xcalloc(1, sizeof(char *));
	struct strbuf w = STRBUF_INIT;
	bool in_word = false;
	for (const char *p = s;; p++) {
		if (!*p || *p == ' ' || *p == '\t' || *p == '\n') {
			if (in_word)
				strv_push(&v, w.buf ? w.buf : "");
			strbuf_reset(&w);
			in_word = false;
			if (!*p)
				break;
			continue;
		}
		in_word = true;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');
			if (!end)
				goto bad_quote;
			strbuf_add(&w, p + 1, (size_t)(end - p - 1));
			p = end;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
					p++;
				strbuf_addch(&w, *p);
			}
			if (!*p)
				goto bad_quote;
		} else if (*p == '\\') {
			if (!p[1]) {
				*why = "a trailing backslash";
				goto fail;
			}
			strbuf_addch(&w, *++p);
		} else {
			strbuf_addch(&w, *p);
		}
	}
	strbuf_release(&w);
	return v;
bad_quote:
	*why = "an unterminated quote";
fail:
	strbuf_release(&w);
	strv_free(v);
	return NULL;
}

char **strv_split(const char *s, const char *seps)
{
	char **v = xcalloc(1, sizeof(char *));
	char *copy = xstrdup(s), *save = NULL;
	for (char *t = strtok_r(copy, seps, &save); t; t = strtok_r(NULL, seps, &save))
		strv_push(&v, t);
	free(copy);
	return v;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

char **strv_dup(char *const *v)
{
	char **r = xcalloc(1, sizeof(char *));
	for (size_t i = 0; v && v[i]; i++)
		strv_push(&r, v[i]);
	return r;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b)))
			return strcmp(a, b);
	}
	return 0;
}

bool version_valid(const char *s)
{
	int dots = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!isdigit((unsigned char)s[1]))
				return false;
			dots++;
		} else if (!isdigit((unsigned char)*s)) {
			return false;
		}
	}
	return dots == 1 || dots == 2;
}


















char *now_rfc3339(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* One row of the table at a time: names are short, but nothing here
	 * bounds them, so the row is on the heap. */
	size_t *row = xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}
