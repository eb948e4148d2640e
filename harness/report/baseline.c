#define _GNU_SOURCE
#include "report/baseline.h"
#include "report/render.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static char *key(const struct rcell *c)
{
	return xasprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", c->subject, c->build, c->run, c->method,
			 c->rootfs, c->arch);
}

struct keyed {
	char *key;
	const struct rcell *c;
};

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static struct keyed *index_cells(const struct rdoc *d)
{
	struct keyed *v = xcalloc(d->n + 1, sizeof(*v));
	for (size_t i = 0; i < d->n; i++)
		v[i] = (struct keyed){key(&d->cells[i]), &d->cells[i]};
	qsort(v, d->n, sizeof(*v), by_key);
	return v;
}

static void add(struct changes *r, enum change_kind k, const struct rcell *o, const struct rcell *n)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = (struct change){k, o, n};
	r->by[k]++;
}

static int by_kind(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	/* Stable within a kind: the new document's order, then the old's. */
	long ix = x->new ? x->new->id : x->old->id, iy = y->new ? y->new->id : y->old->id;
	return ix < iy ? -1 : ix > iy;
}

void baseline_compare(const struct rdoc *old, const struct rdoc *new, struct changes *r)
{
	memset(r, 0, sizeof(*r));
	struct keyed *o = index_cells(old);
	for (size_t i = 0; i < new->n; i++) {
		const struct rcell *n = &new->cells[i];
		cleanup_free char *k = key(n);
		struct keyed probe = {k, NULL};
		struct keyed *hit = bsearch(&probe, o, old->n, sizeof(*o), by_key);
		if (!hit) {
			add(r, n->unexpected ? CHANGE_REGRESSION : CHANGE_NEW, NULL, n);
			continue;
		}
		const struct rcell *p = hit->c;
		hit->c = NULL; /* seen: what stays set is gone */
		if (!p)
			continue; /* a duplicate key in new: the first one counted */
		if (!p->unexpected && n->unexpected)
			add(r, CHANGE_REGRESSION, p, n);
		else if (p->unexpected && !n->unexpected)
			add(r, CHANGE_FIXED, p, n);
		else if (strcmp(p->observed, n->observed) != 0)
			add(r, CHANGE_CLASS, p, n);
	}
	for (size_t i = 0; i < old->n; i++)
		if (o[i].c)
			add(r, CHANGE_GONE, o[i].c, NULL);
	for (size_t i = 0; i < old->n; i++)
		free(o[i].key);
	free(o);
	qsort(r->v, r->n, sizeof(*r->v), by_kind);
}

void changes_release(struct changes *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void baseline_print_md(const struct changes *c, FILE *out)
{
	static const char *const titles[] = {"Regressions", "Fixed", "Other class changes",
					     "New cells", "Cells no longer run"};
	fprintf(out, "## glibc-matrix: %zu regression%s, %zu fixed, %zu changed class, %zu new, "
		     "%zu gone\n", c->by[CHANGE_REGRESSION], c->by[CHANGE_REGRESSION] == 1 ? "" : "s",
		c->by[CHANGE_FIXED], c->by[CHANGE_CLASS], c->by[CHANGE_NEW], c->by[CHANGE_GONE]);
	enum change_kind last = (enum change_kind)-1;
	for (size_t i = 0; i < c->n; i++) {
		const struct change *ch = &c->v[i];
		const struct rcell *any = ch->new ? ch->new : ch->old;
		if (ch->kind != last) {
			fprintf(out, "\n### %s\n\n| subject | built on | run on | method | before | now |\n"
				     "|---|---|---|---|---|---|\n", titles[ch->kind]);
			last = ch->kind;
		}
		render_md_where(out, any);
		fprintf(out, " | %s | ", ch->old ? ch->old->observed : "-");
		if (ch->new) {
			fputs(ch->new->observed, out);
			if (*ch->new->detail) {
				fputs(" (", out);
				render_md_text(out, ch->new->detail);
				fputs(")", out);
			}
		} else {
			fputs("-", out);
		}
		fputs(" |\n", out);
	}
}

size_t baseline_gate(json_object *old, json_object *now, FILE *out)
{
	struct rdoc a, b;
	struct changes ch;
	rdoc_open(old, &a);
	rdoc_open(now, &b);
	baseline_compare(&a, &b, &ch);
	size_t n = ch.by[CHANGE_REGRESSION];
	fputc('\n', out);
	baseline_print_md(&ch, out);
	changes_release(&ch);
	rdoc_close(&a);
	rdoc_close(&b);
	return n;
}
