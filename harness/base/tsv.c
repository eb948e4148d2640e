#define _GNU_SOURCE
#include "base/tsv.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TSV_FILE_MAX (1 << 20)

void tsv_init(struct tsv *t, const char *name, const char *text)
{
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->text = xstrdup(text);
	t->p = t->text;
}

int tsv_open(struct tsv *t, const char *path, struct gm_err **err)
{
	char *text = NULL;
	size_t len = 0;
	memset(t, 0, sizeof(*t));
	if (read_file(path, &text, &len, err) < 0)
		return -1;
	if (len > TSV_FILE_MAX || strlen(text) != len) {
		free(text);
		return gm_infra(err, 0, "%s: not a data file (over 1 MiB, or a NUL byte)", path);
	}
	t->name = xstrdup(path);
	t->text = text;
	t->p = text;
	return 0;
}

/* The next line, cut in place and counted; NULL at the end. */
static char *next_line(struct tsv *t)
{
	if (!*t->p)
		return NULL;
	char *line = t->p;
	size_t len = strcspn(line, "\n");
	t->p += len + (line[len] == '\n');
	line[len] = '\0';
	t->line++;
	return line;
}

/* Splits line at tabs into t->f (at most TSV_MAX_FIELDS + 1 counted, so a
 * row with too many fields is seen as such); false when one is empty. */
static bool split(struct tsv *t, char *line)
{
	bool full = true;
	t->n = 0;
	for (char *p = line; p; t->n++) {
		char *tab = strchr(p, '\t');
		if (tab)
			*tab++ = '\0';
		char *f = str_trim(p);
		full &= *f != '\0';
		if (t->n < TSV_MAX_FIELDS)
			t->f[t->n] = f;
		p = tab;
	}
	return full;
}

int tsv_next(struct tsv *t, size_t min, size_t max, const char *columns, struct gm_err **err)
{
	for (char *line; (line = next_line(t));) {
		char *s = str_trim(line);
		if (!*s || *s == '#')
			continue;
		bool full = split(t, line);
		if (t->n >= min && t->n <= max && full)
			return 1;
		char want[64];
		if (min == max)
			snprintf(want, sizeof(want), "%zu", min);
		else
			snprintf(want, sizeof(want), "%zu to %zu", min, max);
		return tsv_error(t, err, "want %s (%s tab-separated fields, none empty), found %zu%s",
				 columns, want, t->n, full ? "" : " with an empty one");
	}
	return 0;
}

int tsv_error(const struct tsv *t, struct gm_err **err, const char *fmt, ...)
{
	/* One strbuf, one gm_err_set: the error path of a hostile file
	 * allocates no more than it must. */
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	strbuf_addf(&sb, "%s:%zu: ", t->name, t->line);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	gm_err_set(err, GM_EXIT_INFRA, 0, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return -1;
}

void tsv_release(struct tsv *t)
{
	free(t->name);
	free(t->text);
	memset(t, 0, sizeof(*t));
}
