#define _GNU_SOURCE
#include "acquire/debversion.h"
#include "base/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One version split into dpkg's three parts; the strings point into buf. */
struct debver {
	unsigned long epoch;
	char *buf;
	const char *upstream, *revision;
};

static void debver_parse(const char *v, struct debver *d)
{
	const char *colon = strchr(v, ':');
	d->epoch = 0;
	/* An epoch is digits only; anything else before ':' is upstream text. */
	if (colon && colon > v && strspn(v, "0123456789") == (size_t)(colon - v)) {
		d->epoch = strtoul(v, NULL, 10);
		v = colon + 1;
	}
	d->buf = xstrdup(v);
	char *hyphen = strrchr(d->buf, '-');
	if (hyphen) {
		*hyphen = '\0';
		d->revision = hyphen + 1;
	} else {
		d->revision = "";
	}
	d->upstream = d->buf;
}

/* dpkg's character weight in the non-digit parts: '~' below the end of the
 * string, the end below letters, letters below everything else. */
static int order(int c)
{
	if (isdigit(c))
		return 0;
	if (isalpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* dpkg's verrevcmp(): alternating non-digit and digit runs. */
static int verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;
		while ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b))) {
			int ac = order((unsigned char)*a), bc = order((unsigned char)*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (isdigit((unsigned char)*a))
			return 1;
		if (isdigit((unsigned char)*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

int debversion_cmp(const char *a, const char *b)
{
	struct debver da, db;
	int r;

	debver_parse(a, &da);
	debver_parse(b, &db);
	if (da.epoch != db.epoch)
		r = da.epoch < db.epoch ? -1 : 1;
	else if ((r = verrevcmp(da.upstream, db.upstream)) == 0)
		r = verrevcmp(da.revision, db.revision);
	free(da.buf);
	free(db.buf);
	return r < 0 ? -1 : r > 0 ? 1 : 0;
}

char *debversion_glibc_upstream(const char *version)
{
	struct debver d;
	char *r = NULL;

	debver_parse(version, &d);
	const char *p = d.upstream;
	size_t major = strspn(p, "0123456789");
	if (major > 0 && p[major] == '.') {
		size_t minor = strspn(p + major + 1, "0123456789");
		/* "2.36", not "2.36.1" nor "2.36+git": glibc's release series is
		 * what the GLIBC_x.y version nodes are named after. */
		if (minor > 0)
			r = xstrndup(p, major + 1 + minor);
	}
	free(d.buf);
	return r;
}
