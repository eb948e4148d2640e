#define _GNU_SOURCE
#include "report/policy.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "methods/method.h"
#include "store/resolve.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* The next whitespace-separated word of *s, or NULL at the end. */
static char *word(char **s)
{
	*s += strspn(*s, " \t");
	if (!**s)
		return NULL;
	char *w = *s;
	*s += strcspn(*s, " \t");
	if (**s)
		*(*s)++ = '\0';
	return w;
}

static int bad(struct gm_err **err, const char *path, size_t line, const char *why)
{
	return gm_usage(err, "%s:%zu: %s (rules: require|allow SUBJECT by METHODS against RUN "
			"[in ROOTFS][: REASON], default require|allow)", path, line, why);
}

/* A method the table does not have would match no cell: the rule would
 * fail the gate after the whole run (require) or never apply (allow). */
static int known_methods(char *const *methods, const char *path, size_t line,
			 struct gm_err **err)
{
	if (!methods[0])
		return bad(err, path, line, "no method after 'by'");
	for (size_t i = 0; methods[i]; i++)
		if (strcmp(methods[i], "*") != 0 && !method_find(methods[i])) {
			cleanup_free char *known = method_names(0);
			cleanup_free char *why = xasprintf("unknown method '%s' (%s, or *)", methods[i],
							   known);
			return bad(err, path, line, why);
		}
	return 0;
}

static int parse_rule(char *l, bool require, const char *path, size_t line,
		      struct policy_rule *r, struct gm_err **err)
{
	/* The reason is everything after the first ": " (globs hold no
	 * colon-space). */
	char *colon = strstr(l, ": ");
	char *reason = NULL;
	if (colon) {
		*colon = '\0';
		reason = colon + 2;
		reason += strspn(reason, " \t");
	} else if (str_ends(l, ":")) {
		l[strlen(l) - 1] = '\0';
		reason = "";
	}
	if (!require && (!reason || !*reason))
		return bad(err, path, line, "an allow rule needs a reason after ': '");
	char *subject = word(&l), *by = word(&l), *methods = word(&l), *against = word(&l),
	     *run = word(&l), *in = word(&l), *rootfs = word(&l), *extra = word(&l);
	if (!subject || !by || strcmp(by, "by") || !methods || !against ||
	    strcmp(against, "against") || !run)
		return bad(err, path, line, "want SUBJECT by METHODS against RUN");
	if ((in && (strcmp(in, "in") || !rootfs)) || extra)
		return bad(err, path, line, "after RUN only 'in ROOTFS' may follow");
	char **ms = xcalloc(1, sizeof(char *));
	for (char *save = NULL, *m = strtok_r(methods, ",", &save); m; m = strtok_r(NULL, ",", &save))
		strv_push(&ms, m);
	if (known_methods(ms, path, line, err) < 0) {
		strv_free(ms);
		return -1;
	}
	r->require = require;
	r->subject = xstrdup(subject);
	r->run = xstrdup(run);
	r->rootfs = rootfs ? xstrdup(rootfs) : NULL;
	r->methods = ms;
	r->reason = xstrdup(reason ? reason : "");
	r->line = line;
	return 0;
}

static int parse_line(char *l, const char *path, size_t line, struct policy *p,
		      struct gm_err **err)
{
	char *hash = strchr(l, '#');
	if (hash)
		*hash = '\0';
	char *s = l, *kw = word(&s);
	if (!kw)
		return 0;
	if (strcmp(kw, "require") == 0 || strcmp(kw, "allow") == 0) {
		p->rules = xrealloc(p->rules, (p->n + 1) * sizeof(*p->rules));
		memset(&p->rules[p->n], 0, sizeof(*p->rules));
		if (parse_rule(s, kw[0] == 'r', path, line, &p->rules[p->n], err) < 0)
			return -1;
		p->n++;
		return 0;
	}
	if (strcmp(kw, "default") != 0)
		return bad(err, path, line, "a line starts with require, allow or default");
	char *colon = strchr(s, ':');
	if (colon)
		*colon = '\0';
	char *v = word(&s);
	if (!v || word(&s) || (strcmp(v, "require") && strcmp(v, "allow")))
		return bad(err, path, line, "want 'default require' or 'default allow: REASON'");
	p->default_require = v[0] == 'r';
	free(p->default_reason);
	p->default_reason = xstrdup(colon ? colon + 1 + strspn(colon + 1, " \t") : "");
	if (!p->default_require && !*p->default_reason)
		return bad(err, path, line, "'default allow' needs a reason after ':'");
	return 0;
}

int policy_parse(const char *text, const char *path, struct policy *p, struct gm_err **err)
{
	memset(p, 0, sizeof(*p));
	p->default_require = true;
	p->default_reason = xstrdup("");
	p->path = xstrdup(path);
	cleanup_free char *copy = xstrdup(text);
	size_t line = 0;
	for (char *l = copy, *nl; l; l = nl ? nl + 1 : NULL) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		if (parse_line(l, path, ++line, p, err) < 0) {
			policy_release(p);
			return -1;
		}
	}
	return 0;
}

int policy_load(const char *path, struct policy *ret, struct gm_err **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len, err) < 0) {
		(*err)->code = GM_EXIT_USAGE;
		return -1;
	}
	if (strlen(text) != len)
		return gm_usage(err, "%s: not a text file (a NUL byte)", path);
	return policy_parse(text, path, ret, err);
}

void policy_release(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rules[i].subject);
		free(p->rules[i].run);
		free(p->rules[i].run_sysroot);
		free(p->rules[i].rootfs);
		strv_free(p->rules[i].methods);
		free(p->rules[i].reason);
	}
	free(p->rules);
	free(p->default_reason);
	free(p->path);
	memset(p, 0, sizeof(*p));
}

void policy_resolve(struct policy *p, const struct gm_config *cfg, const char *arch)
{
	for (size_t i = 0; i < p->n; i++) {
		struct policy_rule *r = &p->rules[i];
		if (strpbrk(r->run, "*?[") || r->run_sysroot)
			continue;
		struct sysroot s = {0};
		struct gm_err *err = NULL;
		if (sysroot_resolve(cfg, NULL, r->run, arch, &s, &err) == 0) {
			if (strcmp(s.name, r->run) != 0)
				r->run_sysroot = xstrdup(s.name);
			sysroot_release(&s);
		}
		gm_err_free(&err);
	}
}

static bool matches(const struct policy_rule *r, const struct rcell *c)
{
	const char *base = strrchr(c->subject, '/');
	base = base ? base + 1 : c->subject;
	if (fnmatch(r->subject, c->subject, 0) != 0 && fnmatch(r->subject, base, 0) != 0)
		return false;
	if (!strv_contains(r->methods, "*") && !strv_contains(r->methods, c->method))
		return false;
	if (r->rootfs ? !*c->rootfs || fnmatch(r->rootfs, c->rootfs, 0) != 0 : *c->rootfs != '\0')
		return false;
	/* Cells on a tree's own glibc run against "rootfs-<tree>". */
	return fnmatch(r->run, c->run, 0) == 0 ||
	       (r->run_sysroot && strcmp(r->run_sysroot, c->run) == 0) ||
	       (*c->rootfs && str_starts(c->run, "rootfs-") && strcmp(r->run, "*") == 0);
}

size_t policy_gate(const struct policy *p, const struct rdoc *d, FILE *out)
{
	size_t violations = 0, allowed = 0;
	size_t *hits = xcalloc(p->n + 1, sizeof(size_t));
	fprintf(out, "\npolicy %s:\n", p->path);
	for (size_t i = 0; i < d->n; i++) {
		const struct rcell *c = &d->cells[i];
		const struct policy_rule *r = NULL;
		for (size_t k = 0; k < p->n && !r; k++)
			if (matches(&p->rules[k], c)) {
				r = &p->rules[k];
				hits[k]++;
			}
		bool require = r ? r->require : p->default_require;
		if (!c->unexpected)
			continue;
		cleanup_free char *where = xasprintf("%s on %s by %s%s%s", c->subject, c->run, c->method,
						     *c->rootfs ? " in " : "", c->rootfs);
		if (require) {
			violations++;
			if (r)
				fprintf(out, "  FAIL %s: %s (required by line %zu)\n", where,
					c->observed, r->line);
			else
				fprintf(out, "  FAIL %s: %s (no rule allows it; the default is "
					     "require)\n", where, c->observed);
		} else {
			allowed++;
			fprintf(out, "  allowed %s: %s (%s)\n", where, c->observed,
				r ? r->reason : p->default_reason);
		}
	}
	for (size_t k = 0; k < p->n; k++)
		if (p->rules[k].require && !hits[k]) {
			violations++;
			const struct policy_rule *r = &p->rules[k];
			cleanup_free char *run = r->run_sysroot
				? xasprintf("%s (%s)", r->run, r->run_sysroot) : xstrdup(r->run);
			fprintf(out, "  FAIL line %zu requires %s by %s against %s%s%s: no cell of this "
				     "run matches it\n", r->line, r->subject,
				r->methods[0] ? r->methods[0] : "?", run, r->rootfs ? " in " : "",
				r->rootfs ? r->rootfs : "");
		}
	fprintf(out, "policy: %zu violation%s, %zu allowed failure%s\n", violations,
		violations == 1 ? "" : "s", allowed, allowed == 1 ? "" : "s");
	free(hits);
	return violations;
}
