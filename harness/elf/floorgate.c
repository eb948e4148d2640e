#define _GNU_SOURCE
#include "elf/floorgate.h"
#include "base/strbuf.h"
#include "base/tsv.h"
#include "base/util.h"
#include "elf/glibcver.h"

#include <ctype.h>
#include <string.h>

static bool is_loader(const char *soname)
{
	return str_starts(soname, "ld-linux") || str_starts(soname, "ld64.so");
}

/* "1.2.5.2" and the like: ZLIB's nodes have four parts, which
 * version_valid (glibc's two or three) refuses. */
static bool dotted(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!(isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))))
			return false;
	return true;
}

static void profile_fill(struct gate_profile *p, char *const *f)
{
	p->name = xstrdup(f[0]);
	p->aliases = strcmp(f[1], "-") ? strv_split(f[1], ",") : strv_dup(NULL);
	p->glibc = xstrdup(f[2]);
	p->nodes = strcmp(f[3], "-") ? strv_split(f[3], ",") : strv_dup(NULL);
	p->libraries = strv_split(f[4], ",");
}

int gate_profile_load(const char *path, const char *name, struct gate_profile *ret,
		      struct gm_err **err)
{
	struct tsv t;
	struct strbuf names = {0};
	int r;
	memset(ret, 0, sizeof(*ret));
	if (tsv_open(&t, path, err) < 0)
		return gm_err_wrap(err, "manylinux profiles");
	while ((r = tsv_next(&t, 5, 5, "name, aliases, glibc, nodes, libraries", err)) == 1) {
		if (!version_valid(t.f[2])) {
			r = tsv_error(&t, err, "glibc limit '%s' is not a version", t.f[2]);
			break;
		}
		strbuf_addf(&names, "%s%s", names.len ? ", " : "", t.f[0]);
		if (strcmp(t.f[1], "-"))
			strbuf_addf(&names, " (%s)", t.f[1]);
		if (ret->name)
			continue;
		profile_fill(ret, t.f);
		if (strcmp(ret->name, name) && !strv_contains(ret->aliases, name))
			gate_profile_release(ret);
	}
	tsv_release(&t);
	if (r == 0 && !ret->name)
		r = gm_usage(err, "unknown profile '%s' (%s lists: %s)", name, path,
			     strbuf_str(&names));
	strbuf_release(&names);
	if (r < 0)
		gate_profile_release(ret);
	return r < 0 ? -1 : 0;
}

void gate_profile_release(struct gate_profile *p)
{
	free(p->name);
	strv_free(p->aliases);
	free(p->glibc);
	strv_free(p->nodes);
	strv_free(p->libraries);
	memset(p, 0, sizeof(*p));
}

static void add_hit(struct gate_result *r, const struct elf_verneed *need,
		    const struct elf_vernode *node, enum gate_why why, const char *detail)
{
	static char *const none[] = {NULL};
	r->hits = xrealloc(r->hits, (r->n_hits + 1) * sizeof(*r->hits));
	r->hits[r->n_hits++] = (struct gate_hit){
		.library = need->file,
		.node = node->name,
		.symbols = node->symbols ? node->symbols : none,
		.why = why,
		.detail = detail,
	};
}

/* A GLIBC_ node of one of glibc's libraries against the limit: 1 and
 * *why, *detail when over. */
static int glibc_node_over(const char *limit, const char *node, enum gate_why *why,
			   const char **detail)
{
	const char *v = glibc_node_version(node);
	*detail = NULL;
	if (v) {
		*why = GATE_NEWER;
		return version_cmp(v, limit) > 0;
	}
	if (strcmp(node, "GLIBC_PRIVATE") == 0) {
		*why = GATE_PRIVATE;
		return 1;
	}
	if (str_starts(node, "GLIBC_ABI_")) {
		*why = GATE_ABI;
		*detail = glibc_special_since(node);
		return !*detail || version_cmp(*detail, limit) > 0;
	}
	*why = GATE_UNKNOWN;
	return 1;
}

/* The profile's entry for node's family ("GLIBCXX" of "GLIBCXX_3.4.30"):
 * NULL when the profile does not limit that family (or node is allowed by
 * it), else the entry that it exceeds: the family's numbered limit, or the
 * bare family name when the profile allows no node of it. */
static const char *profile_node_over(const struct gate_profile *p, const char *node)
{
	const char *us = strchr(node, '_');
	if (!us)
		return NULL;
	size_t fam = (size_t)(us - node);
	const char *rest = us + 1, *limit = NULL, *first = NULL;
	for (size_t i = 0; p->nodes[i]; i++) {
		const char *e = p->nodes[i];
		if (strncmp(e, node, fam) || (e[fam] != '_' && e[fam] != '\0'))
			continue;
		if (!first)
			first = e;
		if (strcmp(e, node) == 0)
			return NULL;
		if (e[fam] == '_' && dotted(e + fam + 1))
			limit = e;
		else if (e[fam] == '\0' && !limit)
			limit = e;
	}
	if (!first)
		return NULL;
	if (limit && limit[fam] == '_' && dotted(rest) && version_cmp(rest, limit + fam + 1) <= 0)
		return NULL;
	return limit ? limit : first;
}

void gate_check(const struct gate *g, const struct elf_info *in, struct gate_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->is_static = elf_file_kind(in) == ELF_FILE_STATIC_EXEC;
	ret->floor = glibc_floor(in);
	for (size_t i = 0; i < in->n_needs; i++) {
		const struct elf_verneed *need = &in->needs[i];
		bool glibc_lib = glibc_is_glibc_lib(need->file);
		for (size_t k = 0; k < need->n_nodes; k++) {
			const struct elf_vernode *node = &need->nodes[k];
			enum gate_why why;
			const char *detail;
			if (glibc_lib && str_starts(node->name, "GLIBC_")) {
				if (glibc_node_over(g->glibc, node->name, &why, &detail))
					add_hit(ret, need, node, why, detail);
			} else if (g->profile && !is_loader(need->file) &&
				   (detail = profile_node_over(g->profile, node->name))) {
				add_hit(ret, need, node, GATE_PROFILE, detail);
			}
		}
	}
	for (size_t i = 0; g->profile && in->needed && in->needed[i]; i++)
		if (!is_loader(in->needed[i]) && !strv_contains(g->profile->libraries, in->needed[i]))
			strv_push(&ret->outside, in->needed[i]);
}

bool gate_over(const struct gate_result *r)
{
	return r->n_hits || strv_len(r->outside);
}

void gate_result_release(struct gate_result *r)
{
	free(r->hits);
	strv_free(r->outside);
	memset(r, 0, sizeof(*r));
}
