/* results.json: the results document of a matrix run (reports/schema.json
 * says what every field is). */
#define _GNU_SOURCE
#include "verdict/causes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/strmap.h"
#include "base/util.h"
#include "base/version.h"
#include "elf/elfcache.h"
#include "elf/elfinfo.h"
#include "report/rdoc.h"
#include "report/render.h"
#include "report/report.h"
#include "store/rootfs.h"

#include <gnu/libc-version.h>
#include <json.h>
#include <string.h>
#include <sys/utsname.h>

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* The sha256 of a file, or NULL when it cannot be read. */
static json_object *jsha256(const char *path)
{
	char sum[65];
	return path && sha256_file(path, sum, NULL) == 0 ? json_object_new_string(sum) : NULL;
}

json_object *report_suite_libraries_json(char *const *shipped)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; shipped[i]; i++) {
		cleanup_strv char **w = strv_split(shipped[i], " ");
		if (strv_len(w) != 3)
			continue;
		json_object *l = json_object_new_object();
		json_object_object_add(l, "package", jstr(w[1]));
		json_object_object_add(l, "version", jstr(w[2]));
		json_object_object_add(o, w[0], l);
	}
	return o;
}

static json_object *jsysroot(const struct sysroot *s)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", jstr(s->name));
	json_object_object_add(o, "glibc_version", jstr(s->glibc_version));
	json_object_object_add(o, "arch", jstr(s->arch));
	cleanup_free char *origin = sysroot_origin_text(s);
	json_object_object_add(o, "origin", jstr(origin));
	cleanup_free char *id = sysroot_libc_build_id(s);
	json_object_object_add(o, "libc_build_id", jstr(id));
	/* The host is not a manifest in the store. */
	cleanup_free char *manifest = s->origin == ORIGIN_HOST
					      ? NULL : path_join(s->dir, SYSROOT_MANIFEST);
	json_object_object_add(o, "manifest_sha256", jsha256(manifest));
	if (s->shipped)
		json_object_object_add(o, "libraries", report_suite_libraries_json(s->shipped));
	if (s->unshipped)
		json_object_object_add(o, "unshipped", jstrv(s->unshipped));
	return o;
}

static json_object *jrootfs(const struct rootfs *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", jstr(r->name));
	json_object_object_add(o, "suite", jstr(r->suite));
	json_object_object_add(o, "arch", jstr(r->arch));
	json_object_object_add(o, "glibc_version", jstr(r->glibc_version));
	json_object_object_add(o, "key", jstr(r->key));
	return o;
}

/* A user's file: its kind as check treats it; a probe is a probe. */
static const char *subject_kind(const struct cell *c)
{
	const struct elf_info *in;
	if (c->plan.probe)
		return "probe";
	const char *f = c->plan.loads ? c->plan.loads : c->plan.binary;
	if (!f || elfcache_get(f, &in, NULL) != 1)
		return "other";
	return elf_file_kind_name(elf_file_kind(in));
}

/* The package a subject is a file of (named "PKG:path"), or NULL. */
static const char *subject_package(const struct matrix *m, const char *subject)
{
	for (size_t i = 0; i < m->n_packages; i++) {
		size_t n = strlen(m->packages[i].name);
		if (strncmp(subject, m->packages[i].name, n) == 0 && subject[n] == ':')
			return m->packages[i].name;
	}
	return NULL;
}

static json_object *jsubject(const struct matrix *m, const struct cell *c)
{
	json_object *o = json_object_new_object();
	const char *f = c->plan.loads ? c->plan.loads : c->plan.binary;
	const char *pkg = m->n_packages && !c->plan.probe ? subject_package(m, c->plan.subject) : NULL;
	json_object_object_add(o, "name", jstr(c->plan.subject));
	if (pkg)
		json_object_object_add(o, "package", jstr(pkg));
	json_object_object_add(o, "path", jstr(f));
	json_object_object_add(o, "sha256", jsha256(f));
	json_object_object_add(o, "kind", jstr(subject_kind(c)));
	json_object_object_add(o, "build", jstr(c->plan.build ? c->plan.build->name : NULL));
	return o;
}

/* A problem's symbols grouped by the causes.tsv row that explains them
 * ("id" null: no row does), for the results document (ids only); none
 * without the table. */
static json_object *jwhy(const struct causes *cs, const struct gm_problem *pb)
{
	return cs && pb->node ? report_why_json(cs, pb, false) : NULL;
}

json_object *report_why_json(const struct causes *cs, const struct gm_problem *pb, bool texts)
{
	json_object *a = json_object_new_array();
	struct cause_group *g;
	size_t n = causes_group(cs, pb->node, pb->symbols, &g);
	for (size_t i = 0; i < n; i++) {
		const struct cause *k = g[i].cause;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", jstr(k ? k->id : NULL));
		json_object_object_add(o, "symbols", jstrv(g[i].symbols));
		if (texts) {
			json_object_object_add(o, "cause", jstr(k ? k->cause : NULL));
			json_object_object_add(o, "remedy", jstr(k ? k->remedy : NULL));
		}
		json_object_array_add(a, o);
	}
	cause_groups_free(g, n);
	return a;
}

static json_object *jproblems(const struct causes *cs, const struct cell *c)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < c->pred.n_problems; i++) {
		const struct gm_problem *pb = &c->pred.problems[i];
		json_object *j = json_object_new_object();
		json_object_object_add(j, "kind", jstr(gm_outcome_name(pb->kind)));
		json_object_object_add(j, "object", jstr(pb->object));
		json_object_object_add(j, "library", jstr(pb->library));
		json_object_object_add(j, "node", jstr(pb->node));
		json_object_object_add(j, "symbols", jstrv(pb->symbols));
		json_object *why = jwhy(cs, pb);
		if (why)
			json_object_object_add(j, "why", why);
		json_object_array_add(a, j);
	}
	return a;
}

/* The loader's own words: the first line of stderr when the cell failed
 * to load (the classes the loader reports). */
static json_object *jloader_message(const struct cell *c)
{
	switch (c->plan.skip_reason ? GM_SKIPPED : c->obs.outcome) {
	case GM_SYMBOL_VERSION:
	case GM_MISSING_LIBRARY:
	case GM_MISSING_SYMBOL:
	case GM_MIXED_GLIBC:
	case GM_EXEC_FAILED:
		break;
	default:
		return NULL;
	}
	if (!c->obs.stderr_excerpt || !*c->obs.stderr_excerpt)
		return NULL;
	size_t n = strcspn(c->obs.stderr_excerpt, "\n");
	return json_object_new_string_len(c->obs.stderr_excerpt, (int)n);
}

static json_object *jcell(const struct causes *cs, const struct cell *c, size_t id)
{
	json_object *o = json_object_new_object();
	json_object *pred = json_object_new_object();
	json_object *obs = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "subject", jstr(c->plan.subject));
	json_object_object_add(o, "binary", jstr(c->plan.binary));
	json_object_object_add(o, "build", jstr(c->plan.build ? c->plan.build->name : NULL));
	json_object_object_add(o, "run", jstr(c->plan.run->name));
	json_object_object_add(o, "method", jstr(c->plan.method->name));
	json_object_object_add(o, "rootfs", jstr(c->plan.rootfs ? c->plan.rootfs->name : NULL));
	json_object_object_add(o, "arch", jstr(c->plan.run->arch));
	json_object_object_add(o, "options", jstrv(c->plan.options));
	json_object_object_add(pred, "outcome", jstr(gm_outcome_name(c->pred.outcome)));
	json_object_object_add(pred, "detail", jstr(c->pred.detail ? c->pred.detail : ""));
	json_object_object_add(pred, "problems", jproblems(cs, c));
	json_object_object_add(o, "predicted", pred);
	json_object_object_add(obs, "outcome", jstr(gm_outcome_name(c->plan.skip_reason ? GM_SKIPPED
										   : c->obs.outcome)));
	json_object_object_add(obs, "detail", jstr(c->plan.skip_reason ? c->plan.skip_reason
					       : c->obs.detail ? c->obs.detail : ""));
	json_object_object_add(obs, "loader_message", jloader_message(c));
	json_object_object_add(obs, "exit", json_object_new_int(c->obs.exit_code));
	json_object_object_add(obs, "signal", json_object_new_int(c->obs.signal));
	json_object_object_add(obs, "duration_s", json_object_new_double(c->obs.duration_s));
	json_object_object_add(obs, "glibc", jstr(c->obs.ran_glibc));
	json_object_object_add(obs, "libc", jstr(c->obs.ran_libc));
	json_object_object_add(obs, "stdout", json_object_new_string_len(
					c->obs.stdout_excerpt ? c->obs.stdout_excerpt : "", (int)c->obs.stdout_len));
	json_object_object_add(obs, "stderr", json_object_new_string_len(
					c->obs.stderr_excerpt ? c->obs.stderr_excerpt : "", (int)c->obs.stderr_len));
	json_object_object_add(o, "observed", obs);
	json_object *exp = json_object_new_object();
	json_object_object_add(exp, "outcome", jstr(gm_outcome_name(c->verdict.expected)));
	json_object_object_add(exp, "exit", c->verdict.has_expected_exit
					    ? json_object_new_int(c->verdict.expected_exit) : NULL);
	json_object_object_add(o, "expected", exp);
	json_object_object_add(o, "host_libraries", jstrv(c->pred.host_libs));
	if (c->pred.libraries)
		json_object_object_add(o, "libraries", report_libraries_json(c->pred.libraries));
	json_object_object_add(o, "mismatch", json_object_new_boolean(c->verdict.mismatch));
	json_object_object_add(o, "unexpected", json_object_new_boolean(c->verdict.unexpected));
	if (c->obs.image_programs) {
		json_object *img = json_object_new_object();
		json_object_object_add(img, "programs", json_object_new_int64((int64_t)c->obs.image_programs));
		json_object_object_add(img, "intact", json_object_new_int64((int64_t)c->obs.image_intact));
		json_object_object_add(o, "image", img);
	}
	return o;
}

json_object *report_libraries_json(char *const *libraries)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; libraries && libraries[i]; i++) {
		json_object *l = json_object_new_object();
		size_t n = strcspn(libraries[i], " ");
		json_object_object_add(l, "path", jstr(libraries[i] + n + (libraries[i][n] != 0)));
		json_object_object_add(l, "from", json_object_new_string_len(libraries[i], n));
		json_object_array_add(a, l);
	}
	return a;
}

static json_object *jhost(void)
{
	struct utsname un;
	json_object *o = json_object_new_object();
	uname(&un);
	json_object_object_add(o, "arch", jstr(un.machine));
	json_object_object_add(o, "kernel", jstr(un.release));
	json_object_object_add(o, "glibc", jstr(gnu_get_libc_version()));
	return o;
}

/* Adds name's entry to list unless one with that name is there. */
static bool seen(json_object *list, const char *key, const char *name)
{
	for (size_t q = 0; q < json_object_array_length(list); q++) {
		json_object *n;
		if (json_object_object_get_ex(json_object_array_get_idx(list, q), key, &n) &&
		    json_object_get_string(n) && strcmp(json_object_get_string(n), name) == 0)
			return true;
	}
	return false;
}

/* "NAME:path": how results name a file of a package. */
static json_object *jmember(const struct package *p, const char *rel)
{
	cleanup_free char *s = rel ? xasprintf("%s:%s", p->name, rel) : NULL;
	return jstr(s);
}

static json_object *jmembers(const struct package *p, char *const *rels)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; rels && rels[i]; i++)
		json_object_array_add(a, jmember(p, rels[i]));
	return a;
}

/* A .deb's control fields; its Pre-Depends and Depends as clauses of
 * alternatives (package names), for resolving them in a suite. */
static json_object *jdeb(const struct package *p)
{
	json_object *o = json_object_new_object();
	json_object *deps = json_object_new_array();
	json_object_object_add(o, "package", jstr(p->deb_package));
	json_object_object_add(o, "version", jstr(p->deb_version));
	json_object_object_add(o, "architecture", jstr(p->deb_arch));
	json_object_object_add(o, "depends_field", jstr(p->depends_field));
	for (size_t i = 0; p->depends && p->depends[i]; i++)
		json_object_array_add(deps, jstrv(p->depends[i]));
	json_object_object_add(o, "depends", deps);
	return o;
}

static json_object *jpackage(const struct package *p)
{
	json_object *o = json_object_new_object();
	json_object *floor = json_object_new_object();
	json_object_object_add(o, "name", jstr(p->name));
	json_object_object_add(o, "kind", jstr(package_kind_name(p->kind)));
	json_object_object_add(o, "root", jstr(p->root));
	json_object_object_add(o, "files", jmembers(p, p->files));
	json_object_object_add(o, "passed_over", jmembers(p, p->passed_over));
	json_object_object_add(o, "library_dirs", jstrv(p->libdirs));
	json_object_object_add(floor, "version", jstr(p->floor));
	json_object_object_add(floor, "file", jmember(p, p->floor_file));
	json_object_object_add(floor, "library", jstr(p->floor_library));
	json_object_object_add(floor, "symbol", jstr(p->floor_symbol));
	json_object_object_add(floor, "symbols", json_object_new_int64((int64_t)p->floor_symbols));
	json_object_object_add(o, "glibc_floor", floor);
	json_object_object_add(o, "deb", p->kind == PACKAGE_DEB ? jdeb(p) : NULL);
	return o;
}

json_object *matrix_document(const struct matrix *m, const struct causes *cs)
{
	json_object *root = json_object_new_object();
	json_object *cells = json_object_new_array();
	json_object *sysroots = json_object_new_array();
	json_object *trees = json_object_new_array();
	json_object *subjects = json_object_new_array();
	json_object *counts = json_object_new_object();
	size_t by[GM_OUTCOME_COUNT] = {0}, mism = 0, unexpected = 0;
	struct strmap seen_subjects = STRMAP_INIT;

	for (size_t i = 0; i < m->n; i++) {
		const struct cell *c = &m->cells[i];
		json_object_array_add(cells, jcell(cs, c, i));
		by[c->plan.skip_reason ? GM_SKIPPED : c->obs.outcome]++;
		mism += c->verdict.mismatch;
		unexpected += c->verdict.unexpected;
		const struct sysroot *s[2] = {c->plan.build, c->plan.run};
		for (int k = 0; k < 2; k++)
			if (s[k] && !seen(sysroots, "name", s[k]->name))
				json_object_array_add(sysroots, jsysroot(s[k]));
		if (c->plan.rootfs && !seen(trees, "name", c->plan.rootfs->name))
			json_object_array_add(trees, jrootfs(c->plan.rootfs));
		/* A subject is a file built against a sysroot: one entry each
		 * (a map, not a search of the cells before: linear in cells). */
		cleanup_free char *key = xasprintf("%s\n%s", c->plan.build ? c->plan.build->name : "",
						   c->plan.subject);
		size_t was;
		if (!strmap_get(&seen_subjects, key, &was)) {
			strmap_intern(&seen_subjects, key, i);
			json_object_array_add(subjects, jsubject(m, c));
		}
	}
	strmap_release(&seen_subjects);
	for (int k = 0; k < GM_OUTCOME_COUNT; k++)
		json_object_object_add(counts, gm_outcome_name(k), json_object_new_int64(by[k]));
	json_object *tool = json_object_new_object();
	json_object_object_add(tool, "name", jstr("glibc-matrix"));
	json_object_object_add(tool, "version", jstr(GM_VERSION));
	json_object_object_add(root, "schema", json_object_new_int(REPORT_SCHEMA));
	json_object_object_add(root, "tool", tool);
	json_object_object_add(root, "command_line", jstrv(m->command_line));
	json_object_object_add(root, "host", jhost());
	json_object_object_add(root, "started", jstr(m->started));
	json_object_object_add(root, "finished", jstr(m->finished));
	json_object_object_add(root, "complete", json_object_new_boolean(m->complete));
	json_object_object_add(root, "wall_s", json_object_new_double(m->wall_s));
	if (m->containment) {
		json_object *ct = json_object_new_object();
		json_object_object_add(ct, "mode", jstr(m->containment));
		json_object_object_add(ct, "note", jstr(m->containment_note));
		json_object_object_add(ct, "cell_pids_max", json_object_new_int64(m->cell_pids_max));
		json_object_object_add(ct, "cell_memory_bytes",
				       json_object_new_int64(m->cell_memory_bytes));
		json_object_object_add(root, "containment", ct);
	}
	json_object *summary = json_object_new_object();
	json_object_object_add(summary, "cells", json_object_new_int64(m->n));
	json_object_object_add(summary, "mismatches", json_object_new_int64(mism));
	json_object_object_add(summary, "unexpected", json_object_new_int64(unexpected));
	json_object_object_add(summary, "observed", counts);
	json_object_object_add(root, "summary", summary);
	json_object_object_add(root, "sysroots", sysroots);
	json_object_object_add(root, "rootfs", trees);
	json_object_object_add(root, "subjects", subjects);
	if (m->n_packages) {
		json_object *pk = json_object_new_array();
		for (size_t i = 0; i < m->n_packages; i++)
			json_object_array_add(pk, jpackage(&m->packages[i]));
		json_object_object_add(root, "packages", pk);
	}
	json_object_object_add(root, "cells", cells);
	return root;
}

int report_write_document(json_object *doc, const char *path, struct gm_err **err)
{
	const char *text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	return write_file_atomic(path, text, strlen(text), 0644, err);
}

/* The reports beside results.json, so every run has them all: the page a
 * person opens first, the job summary, what CI test reporters read. */
static const struct {
	const char *name;
	int (*render)(const struct rdoc *, FILE *, struct gm_err **);
} beside[] = {
	{"report.html", render_html},
	{"summary.md", render_md},
	{"junit.xml", render_junit},
	{"results.tap", render_tap},
};

static int write_reports(json_object *doc, const char *outdir, struct gm_err **err)
{
	struct rdoc d;
	int r = 0;
	rdoc_open(doc, &d);
	for (size_t i = 0; r == 0 && i < sizeof(beside) / sizeof(beside[0]); i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);
		r = beside[i].render(&d, mem, err);
		if (fclose(mem) != 0 && r == 0)
			r = gm_infra(err, 0, "out of memory rendering %s", beside[i].name);
		cleanup_free char *path = path_join(outdir, beside[i].name);
		if (r == 0)
			r = write_file_atomic(path, text, len, 0644, err);
		free(text);
	}
	rdoc_close(&d);
	return r;
}

int report_write_run(json_object *doc, const char *outdir, struct gm_err **err)
{
	cleanup_free char *path = path_join(outdir, "results.json");
	int r = mkdir_p(outdir, 0755, err) < 0 ? -1 : report_write_document(doc, path, err);
	if (r == 0)
		r = write_reports(doc, outdir, err);
	return r;
}
