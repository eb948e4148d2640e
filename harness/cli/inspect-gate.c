#define _GNU_SOURCE
#include "cli/inspect-gate.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <json.h>
#include <string.h>

int inspect_gate_init(struct inspect_gate *ig, const struct gm_config *cfg, const char *max_glibc,
		      const char *profile, bool json, FILE *out, struct gm_err **err)
{
	memset(ig, 0, sizeof(*ig));
	ig->json = json;
	ig->out = out;
	if (profile) {
		cleanup_free char *path = path_join(cfg->recipes, "profiles-manylinux.tsv");
		if (gate_profile_load(path, profile, &ig->profile, err) < 0)
			return gm_err_wrap(err, "inspect --profile");
		ig->gate.glibc = ig->profile.glibc;
		ig->gate.profile = &ig->profile;
		ig->label = xasprintf("%s (glibc %s)", ig->profile.name, ig->profile.glibc);
		return 0;
	}
	if (!version_valid(max_glibc))
		return gm_usage(err, "inspect --max-glibc: '%s' is not a glibc version (want 2.28)",
				max_glibc);
	ig->gate.glibc = max_glibc;
	ig->label = xasprintf("glibc %s", max_glibc);
	return 0;
}

static const char *why_word(enum gate_why w)
{
	static const char *const words[] = {
		[GATE_NEWER] = "newer", [GATE_PRIVATE] = "private", [GATE_ABI] = "abi",
		[GATE_UNKNOWN] = "unknown", [GATE_PROFILE] = "profile",
	};
	return words[w];
}

/* " [...]" after a node that is not simply a newer release: why it is over. */
static void print_why(FILE *f, const struct inspect_gate *ig, const struct gate_hit *h)
{
	if (h->why == GATE_PRIVATE)
		fprintf(f, " [private: ties the file to one glibc build]");
	else if (h->why == GATE_ABI && h->detail)
		fprintf(f, " [glibc >= %s]", h->detail);
	else if (h->why == GATE_ABI)
		fprintf(f, " [an ABI node this version of glibc-matrix does not know]");
	else if (h->why == GATE_UNKNOWN)
		fprintf(f, " [not a numbered glibc release]");
	else if (h->why == GATE_PROFILE && strchr(h->detail, '_'))
		fprintf(f, " [%s allows up to %s]", ig->profile.name, h->detail);
	else if (h->why == GATE_PROFILE)
		fprintf(f, " [%s allows no %s node]", ig->profile.name, h->detail);
}

static void print_text(struct inspect_gate *ig, const char *path, const struct gate_result *r)
{
	FILE *f = ig->out;
	const char *sep = "";
	fprintf(f, "%s:", path);
	for (size_t i = 0; i < r->n_hits; i++, sep = ";") {
		const struct gate_hit *h = &r->hits[i];
		fprintf(f, "%s %s from %s", sep, h->node, h->library);
		print_why(f, ig, h);
		for (size_t k = 0; h->symbols[k]; k++)
			fprintf(f, "%s%s", k ? ", " : " (", h->symbols[k]);
		if (h->symbols[0])
			fputc(')', f);
	}
	for (size_t i = 0; r->outside && r->outside[i]; i++, sep = ";")
		fprintf(f, "%s %s is not in %s's allowed libraries", sep, r->outside[i],
			ig->profile.name);
	fputc('\n', f);
}

static json_object *jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static void print_json(struct inspect_gate *ig, const char *path, const struct gate_result *r,
		       bool first)
{
	json_object *o = json_object_new_object();
	json_object *nodes = json_object_new_array();
	json_object_object_add(o, "file", json_object_new_string(path));
	json_object_object_add(o, "floor", r->floor ? json_object_new_string(r->floor) : NULL);
	json_object_object_add(o, "over", json_object_new_boolean(gate_over(r)));
	json_object_object_add(o, "static", json_object_new_boolean(r->is_static));
	for (size_t i = 0; i < r->n_hits; i++) {
		const struct gate_hit *h = &r->hits[i];
		json_object *n = json_object_new_object();
		json_object_object_add(n, "library", json_object_new_string(h->library));
		json_object_object_add(n, "node", json_object_new_string(h->node));
		json_object_object_add(n, "reason", json_object_new_string(why_word(h->why)));
		if (h->why == GATE_ABI)
			json_object_object_add(n, "since", h->detail ? json_object_new_string(h->detail) : NULL);
		if (h->why == GATE_PROFILE)
			json_object_object_add(n, "limit", json_object_new_string(h->detail));
		json_object_object_add(n, "symbols", jstrv(h->symbols));
		json_object_array_add(nodes, n);
	}
	json_object_object_add(o, "nodes", nodes);
	json_object_object_add(o, "libraries", jstrv(r->outside));
	fprintf(ig->out, "%s%s", first ? "" : ",\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

void inspect_gate_file(struct inspect_gate *ig, const char *path, const struct elf_info *in,
		       bool first)
{
	struct gate_result r;
	gate_check(&ig->gate, in, &r);
	ig->files++;
	ig->over += gate_over(&r);
	ig->statics += r.is_static;
	if (ig->json)
		print_json(ig, path, &r, first);
	else if (gate_over(&r))
		print_text(ig, path, &r);
	else if (r.is_static)
		fprintf(ig->out, "%s: static executable, no version needs (it never loads "
				 "the target's glibc)\n", path);
	gate_result_release(&r);
}

int inspect_gate_finish(struct inspect_gate *ig, size_t unread)
{
	if (!ig->json) {
		fprintf(ig->out, "%zu of %zu ELF file%s over %s", ig->over, ig->files,
			ig->files == 1 ? "" : "s", ig->label);
		if (ig->statics)
			fprintf(ig->out, "; %zu static executable%s without version needs", ig->statics,
				ig->statics == 1 ? "" : "s");
		if (unread)
			fprintf(ig->out, "; %zu file%s not judged (malformed or unreadable)", unread,
				unread == 1 ? "" : "s");
		fputc('\n', ig->out);
	}
	return ig->over ? GM_EXIT_FINDINGS : 0;
}

void inspect_gate_release(struct inspect_gate *ig)
{
	gate_profile_release(&ig->profile);
	free(ig->label);
	memset(ig, 0, sizeof(*ig));
}
