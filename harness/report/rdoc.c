#define _GNU_SOURCE
#include "report/rdoc.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "base/util.h"
#include "report/rcheck.h"
#include "report/report.h"
#include "verdict/outcome.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *rjs(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

char *rproblem_why(json_object *problem)
{
	json_object *why;
	if (!json_object_object_get_ex(problem, "why", &why) ||
	    !json_object_is_type(why, json_type_array))
		return NULL;
	char **ids = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(why); i++) {
		const char *id = rjs(json_object_array_get_idx(why, i), "id");
		if (*id && !strv_contains(ids, id))
			strv_push(&ids, id);
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_join(&sb, ids, ", ");
	strv_free(ids);
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static const char *rjs_or_null(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *rget(json_object *o, const char *key)
{
	json_object *v = NULL;
	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Strings of a document that are not UTF-8 (a hand-edited or damaged
 * file: we never write one) become UTF-8 with the foreign bytes as \xNN,
 * so every format stays valid whatever the input held. */
static void sanitize(json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			sanitize(v);
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			sanitize(json_object_array_get_idx(o, i));
		break;
	case json_type_string: {
		const char *s = json_object_get_string(o);
		size_t len = (size_t)json_object_get_string_len(o), n, i = 0;
		/* Most strings are ASCII: skip to the first byte that is not. */
		while (i < len && !(s[i] & 0x80) && s[i])
			i++;
		for (; i < len; i += n)
			if (!(n = utf8_sequence((const unsigned char *)s + i, len - i))) {
				cleanup_free char *clean = utf8_excerpt(s, len, len, &n);
				json_object_set_string_len(o, clean, (int)n);
				break;
			}
		break;
	}
	default:
		break;
	}
}

static void recount(json_object *doc)
{
	json_object *cells = rget(doc, "cells");
	size_t n = json_object_array_length(cells), mism = 0, unexp = 0;
	size_t by[GM_OUTCOME_COUNT] = {0};
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cells, i);
		int o = gm_outcome_parse(rjs(rget(c, "observed"), "outcome"));
		if (o >= 0)
			by[o]++;
		mism += json_object_get_boolean(rget(c, "mismatch"));
		unexp += json_object_get_boolean(rget(c, "unexpected"));
	}
	json_object *counts = json_object_new_object();
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		json_object_object_add(counts, gm_outcome_name(k), json_object_new_int64(by[k]));
	json_object *summary = json_object_new_object();
	json_object_object_add(summary, "cells", json_object_new_int64(n));
	json_object_object_add(summary, "mismatches", json_object_new_int64(mism));
	json_object_object_add(summary, "unexpected", json_object_new_int64(unexp));
	json_object_object_add(summary, "observed", counts);
	json_object_object_add(doc, "summary", summary);
}

int rdoc_load(const char *path, json_object **ret, struct gm_err **err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len, err) < 0) {
		(*err)->code = GM_EXIT_USAGE;
		return -1;
	}
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, text, len > INT_MAX ? INT_MAX : (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	json_tokener_free(tok);
	const char *why = jerr == json_tokener_continue ? "truncated JSON"
			  : jerr != json_tokener_success ? json_tokener_error_desc(jerr)
			  : !json_object_is_type(o, json_type_object) ? "not a JSON object"
			  : strcmp(rjs(rget(o, "tool"), "name"), "glibc-matrix") != 0
				  ? "not a glibc-matrix results document (no tool.name)"
			  : json_object_get_int(rget(o, "schema")) != REPORT_SCHEMA
				  ? "a results document of another schema (this glibc-matrix reads schema 2; run it again)"
			  : !json_object_is_type(rget(o, "cells"), json_type_array) ? "no cells array"
										      : NULL;
	if (why || rdoc_check_types(o, path, err) < 0) {
		if (o)
			json_object_put(o);
		return why ? gm_usage(err, "'%s': %s", path, why) : -1;
	}
	sanitize(o);
	/* The summary a report shows is counted from the cells, whatever the
	 * document's own says. */
	recount(o);
	*ret = o;
	return 0;
}

/* Appends the entries of from[key] to into[key] that are not there yet
 * (same "name", and for subjects the same "build"). */
static void union_by_name(json_object *into, json_object *from, const char *key)
{
	json_object *dst = rget(into, key), *src = rget(from, key);
	if (!json_object_is_type(dst, json_type_array) || !json_object_is_type(src, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(src); i++) {
		json_object *e = json_object_array_get_idx(src, i);
		bool have = false;
		for (size_t k = 0; k < json_object_array_length(dst) && !have; k++) {
			json_object *d = json_object_array_get_idx(dst, k);
			have = strcmp(rjs(d, "name"), rjs(e, "name")) == 0 &&
			       strcmp(rjs(d, "build"), rjs(e, "build")) == 0;
		}
		if (!have)
			json_object_array_add(dst, json_object_get(e));
	}
}

json_object *rdoc_merge(json_object *const *docs, size_t n)
{
	json_object *out = NULL;
	/* A deep copy of the first, then the others folded in. */
	json_object_deep_copy(docs[0], &out, NULL);
	json_object *cells = rget(out, "cells");
	for (size_t d = 1; d < n; d++) {
		json_object *src = rget(docs[d], "cells");
		for (size_t i = 0; i < json_object_array_length(src); i++)
			json_object_array_add(cells, json_object_get(json_object_array_get_idx(src, i)));
		union_by_name(out, docs[d], "sysroots");
		union_by_name(out, docs[d], "rootfs");
		union_by_name(out, docs[d], "subjects");
		union_by_name(out, docs[d], "packages");
		const char *s = rjs(docs[d], "started"), *f = rjs(docs[d], "finished");
		if (*s && (!*rjs(out, "started") || strcmp(s, rjs(out, "started")) < 0))
			json_object_object_add(out, "started", json_object_new_string(s));
		if (*f && strcmp(f, rjs(out, "finished")) > 0)
			json_object_object_add(out, "finished", json_object_new_string(f));
		if (!json_object_get_boolean(rget(docs[d], "complete")))
			json_object_object_add(out, "complete", json_object_new_boolean(false));
		double w = json_object_get_double(rget(docs[d], "wall_s"));
		if (w > json_object_get_double(rget(out, "wall_s")))
			json_object_object_add(out, "wall_s", json_object_new_double(w));
	}
	for (size_t i = 0; i < json_object_array_length(cells); i++)
		json_object_object_add(json_object_array_get_idx(cells, i), "id",
				       json_object_new_int64(i));
	recount(out);
	return out;
}

void rdoc_open(json_object *root, struct rdoc *d)
{
	json_object *cells = rget(root, "cells");
	d->root = json_object_get(root);
	d->n = json_object_array_length(cells);
	d->cells = xcalloc(d->n + 1, sizeof(*d->cells));
	for (size_t i = 0; i < d->n; i++) {
		json_object *j = json_object_array_get_idx(cells, i);
		json_object *p = rget(j, "predicted"), *o = rget(j, "observed"), *e = rget(j, "expected");
		struct rcell *c = &d->cells[i];
		c->json = j;
		c->id = json_object_get_int64(rget(j, "id"));
		c->subject = rjs(j, "subject");
		c->binary = rjs(j, "binary");
		c->build = rjs(j, "build");
		c->run = rjs(j, "run");
		c->method = rjs(j, "method");
		c->rootfs = rjs(j, "rootfs");
		c->arch = rjs(j, "arch");
		c->predicted = rjs(p, "outcome");
		c->predicted_detail = rjs(p, "detail");
		c->problems = rget(p, "problems");
		c->options = json_object_is_type(rget(j, "options"), json_type_array)
				     ? rget(j, "options") : NULL;
		c->observed = rjs(o, "outcome");
		c->detail = rjs(o, "detail");
		c->loader_message = rjs_or_null(o, "loader_message");
		c->stderr_text = rjs(o, "stderr");
		c->exit_code = json_object_get_int(rget(o, "exit"));
		c->signal = json_object_get_int(rget(o, "signal"));
		c->duration_s = json_object_get_double(rget(o, "duration_s"));
		c->probe = !rget(e, "exit");
		c->expect_exit = json_object_get_int(rget(e, "exit"));
		c->mismatch = json_object_get_boolean(rget(j, "mismatch"));
		c->unexpected = json_object_get_boolean(rget(j, "unexpected"));
		c->skipped = strcmp(c->observed, "skipped") == 0;
	}
}

void rdoc_close(struct rdoc *d)
{
	free(d->cells);
	if (d->root)
		json_object_put(d->root);
	memset(d, 0, sizeof(*d));
}

/* Container cells on the tree's own glibc have the tree as their run axis
 * ("rootfs-bullseye"), not a sysroot. */
static bool tree_axis(const struct rcell *c)
{
	return *c->rootfs && str_starts(c->run, "rootfs-");
}

char *rcell_reproduce(const struct rcell *c)
{
	struct strbuf b = STRBUF_INIT;
	if (c->probe) {
		strbuf_addstr(&b, "glibc-matrix run --case ");
		strbuf_add_shell_word(&b, c->subject);
		strbuf_addstr(&b, " --build ");
		strbuf_add_shell_word(&b, c->build);
		if (!tree_axis(c)) {
			strbuf_addstr(&b, " --run ");
			strbuf_add_shell_word(&b, c->run);
		}
	} else {
		strbuf_addstr(&b, "glibc-matrix check ");
		strbuf_add_shell_word(&b, c->subject);
		strbuf_addstr(&b, " --against ");
		strbuf_add_shell_word(&b, tree_axis(c) ? "host" : c->run);
	}
	strbuf_addstr(&b, " --method ");
	strbuf_add_shell_word(&b, c->method);
	if (*c->rootfs) {
		strbuf_addstr(&b, " --rootfs ");
		strbuf_add_shell_word(&b, c->rootfs);
	}
	for (size_t i = 0; c->options && i < json_object_array_length(c->options); i++) {
		strbuf_addch(&b, ' ');
		strbuf_add_shell_word(&b, json_object_get_string(json_object_array_get_idx(c->options, i)));
	}
	if (!c->options && !c->probe && c->expect_exit)
		strbuf_addf(&b, " --expect-exit %d", c->expect_exit);
	return strbuf_detach(&b);
}

char *rcell_row(const struct rcell *c)
{
	/* A cell judged as a probe is without a build sysroot only when it
	 * is an image's own program: its name says more than "-". */
	if (c->probe)
		return xstrdup(*c->build ? c->build : c->subject);
	return *c->build ? xasprintf("%s (built on %s)", c->subject, c->build) : xstrdup(c->subject);
}

char *rcell_grid(const struct rcell *c, const char *host_arch)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addstr(&b, c->method);
	if (*c->rootfs && !tree_axis(c))
		strbuf_addf(&b, " in %s", c->rootfs);
	if (*c->arch && strcmp(c->arch, host_arch) != 0)
		strbuf_addf(&b, " (%s)", c->arch);
	return strbuf_detach(&b);
}
