#define _GNU_SOURCE
#include "cli/explain-all.h"
#include "cli/target-libs.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "cli/select.h"
#include "methods/method.h"
#include "verdict/predict.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The methods of the table: the two ways `check` uses by default. */
static const char *const method_names_all[] = {"loader", "interp", NULL};
#define N_METHODS 2

struct row {
	const struct sysroot *s;
	enum gm_outcome outcome[N_METHODS];
	char *detail[N_METHODS];
};

static int by_version(const void *a, const void *b)
{
	const struct sysroot *x = a, *y = b;
	int c = version_cmp(x->glibc_version, y->glibc_version);
	return c ? c : strcmp(x->name, y->name);
}

/* A skipped cell's reason is the same on every row: said once, below. */
static char *cell_text(const struct row *r, size_t k)
{
	if (r->outcome[k] == GM_OK || r->outcome[k] == GM_SKIPPED)
		return xstrdup(gm_outcome_name(r->outcome[k]));
	return xasprintf("%s %s", gm_outcome_name(r->outcome[k]), r->detail[k]);
}

/* Per method: the oldest sysroot that runs the file, the newest that does
 * not, the reason of a method that does not apply. */
struct bounds {
	const struct sysroot *const *oldest_ok, *const *newest_bad;
	const char *const *skipped;
};

static void print_json(const char *binary, const char *arch, const struct sysroot *v,
		       const struct row *rows, size_t n, const struct bounds *bd)
{
	json_object *o = json_object_new_object(), *jr = json_object_new_array();
	json_object *sum = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(binary));
	json_object_object_add(o, "arch", json_object_new_string(arch));
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_new_object(), *methods = json_object_new_object();
		json_object_object_add(row, "sysroot", json_object_new_string(v[i].name));
		json_object_object_add(row, "glibc_version", json_object_new_string(v[i].glibc_version));
		for (size_t k = 0; k < N_METHODS; k++) {
			json_object *c = json_object_new_object();
			json_object_object_add(c, "outcome", json_object_new_string(
				gm_outcome_name(rows[i].outcome[k])));
			json_object_object_add(c, "detail", json_object_new_string(rows[i].detail[k]));
			json_object_object_add(methods, method_names_all[k], c);
		}
		json_object_object_add(row, "methods", methods);
		json_object_array_add(jr, row);
	}
	json_object_object_add(o, "sysroots", jr);
	for (size_t k = 0; k < N_METHODS; k++) {
		json_object *s = json_object_new_object();
		json_object_object_add(s, "oldest_that_runs", bd->oldest_ok[k]
			? json_object_new_string(bd->oldest_ok[k]->name) : NULL);
		json_object_object_add(s, "newest_that_does_not", bd->newest_bad[k]
			? json_object_new_string(bd->newest_bad[k]->name) : NULL);
		json_object_object_add(sum, method_names_all[k], s);
	}
	json_object_object_add(o, "by_method", sum);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_text(const char *binary, const char *arch, const struct sysroot *v,
		       const struct row *rows, size_t n, const struct bounds *bd)
{
	printf("%s against every %s sysroot in the store, oldest glibc first (predicted):\n",
	       binary, arch);
	printf("  %-7s %-26s %-32s %s\n", "glibc", "sysroot", "loader", "interp");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *a = cell_text(&rows[i], 0);
		cleanup_free char *b = cell_text(&rows[i], 1);
		printf("  %-7s %-26s %-32s %s\n", v[i].glibc_version, v[i].name, a, b);
	}
	for (size_t k = 0; k < N_METHODS; k++) {
		const struct sysroot *ok_s = bd->oldest_ok[k], *bad_s = bd->newest_bad[k];
		if (bd->skipped[k] && !ok_s && !bad_s) {
			printf("  %s: %s (%s)\n", method_names_all[k], gm_outcome_name(GM_SKIPPED),
			       bd->skipped[k]);
			continue;
		}
		cleanup_free char *ok = ok_s ? xasprintf("%s (%s)", ok_s->glibc_version, ok_s->name)
					     : xstrdup("none");
		cleanup_free char *bad = bad_s ? xasprintf("%s (%s)", bad_s->glibc_version, bad_s->name)
					       : xstrdup("none");
		printf("  %s: the oldest glibc that runs it: %s; the newest that does not: %s\n",
		       method_names_all[k], ok, bad);
	}
}

int explain_against_all(const struct gm_ctx *ctx, const char *binary, char *const *own_libdirs,
			const char *arch, bool json, bool host_libs, struct gm_err **err)
{
	struct sysroot *all = NULL;
	size_t n_all = 0, n = 0;
	if (select_all_sysroots(ctx->cfg, &all, &n_all, err) < 0)
		return -1;
	/* The sysroots of the file's architecture, oldest glibc first. */
	struct sysroot *v = xcalloc(n_all + 1, sizeof(*v));
	for (size_t i = 0; i < n_all; i++)
		if (strcmp(all[i].arch, arch) == 0)
			v[n++] = all[i];
		else
			sysroot_release(&all[i]);
	free(all);
	if (!n) {
		free(v);
		return gm_usage(err, "explain --against-all: no %s sysroot in the store "
				"(glibc-matrix sysroot import SUITE, sysroot build VERSION)", arch);
	}
	qsort(v, n, sizeof(*v), by_version);

	cleanup_free char *abs = realpath(binary, NULL);
	cleanup_strv char **libs = NULL;
	cleanup_strv char **host = select_host_lib_dirs(abs, &libs);
	/* A package's own directories (explain PKG:PATH) go with it everywhere. */
	cleanup_strv char **extra = strv_dup(own_libdirs);
	for (size_t i = 0; host[i]; i++)
		if (!strv_contains(extra, host[i]))
			strv_push(&extra, host[i]);
	cleanup_free bool *own = xcalloc(n, sizeof(bool));
	struct row *rows = xcalloc(n, sizeof(*rows));
	int r = host_libs ? 0 : target_libs_file(ctx, abs, v, n, own, err);
	for (size_t i = 0; i < n && r == 0; i++) {
		rows[i].s = &v[i];
		for (size_t k = 0; k < N_METHODS && r == 0; k++) {
			struct method_ctx rc = {.cfg = ctx->cfg, .binary = abs, .run = &v[i],
						.extra_libdirs = own[i] ? own_libdirs : extra,
						.own_search = true, .target_libs = own[i]};
			struct gm_prediction p;
			if (method_find(method_names_all[k])->predict(&rc, &p, err) < 0) {
				r = -1;
				break;
			}
			rows[i].outcome[k] = p.outcome;
			rows[i].detail[k] = xstrdup(p.detail);
			prediction_release(&p);
		}
	}
	/* Per method: the oldest that runs it, the newest that does not; a
	 * method that does not apply (a static executable) is neither. */
	const struct sysroot *oldest_ok[N_METHODS] = {0}, *newest_bad[N_METHODS] = {0};
	const char *skipped[N_METHODS] = {0};
	bool all_ok = true;
	for (size_t i = 0; r == 0 && i < n; i++)
		for (size_t k = 0; k < N_METHODS; k++) {
			if (rows[i].outcome[k] == GM_OK && !oldest_ok[k])
				oldest_ok[k] = rows[i].s;
			if (rows[i].outcome[k] == GM_SKIPPED)
				skipped[k] = rows[i].detail[k];
			else if (rows[i].outcome[k] != GM_OK) {
				newest_bad[k] = rows[i].s;
				all_ok = false;
			}
		}
	const struct bounds bd = {.oldest_ok = oldest_ok, .newest_bad = newest_bad, .skipped = skipped};
	if (r == 0 && json)
		print_json(binary, arch, v, rows, n, &bd);
	else if (r == 0)
		print_text(binary, arch, v, rows, n, &bd);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < N_METHODS; k++)
			free(rows[i].detail[k]);
	free(rows);
	sysroot_list_free(v, n);
	if (r < 0)
		return -1;
	return all_ok ? 0 : GM_EXIT_FINDINGS;
}
