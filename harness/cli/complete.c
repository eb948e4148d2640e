/* glibc-matrix __complete KIND: the names shell completion offers
 * (completion/glibc-matrix.bash), read where the commands read them, so
 * the completion follows the store, the recipes and the method table of the
 * driver it completes for.  Hidden: not in the command table or --help. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "base/tsv.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "methods/method.h"
#include "probes/cases.h"
#include "store/recipes.h"
#include "store/rootfs.h"
#include "store/sysroot.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void add(char ***v, const char *s)
{
	if (s && *s && strcmp(s, "-") != 0 && !strv_contains(*v, s))
		strv_push(v, s);
}

/* Column col of every row of the recipes file (0 when it is absent),
 * and column alias too when alias >= 0. */
static int recipe_names(const struct gm_config *cfg, const char *file, size_t min, size_t col,
			int alias, char ***v, struct gm_err **err)
{
	struct tsv t;
	int r = recipes_open(cfg, file, &t, err);
	if (r <= 0)
		return r;
	while ((r = tsv_next(&t, min, TSV_MAX_FIELDS, file, err)) == 1) {
		add(v, t.f[col]);
		if (alias >= 0)
			add(v, t.f[alias]);
	}
	tsv_release(&t);
	return r;
}

/* Sysroot names; with targets, also what else names one (store/resolve.h):
 * the Debian suites and glibc versions of the store, and the profiles. */
static int sysroot_names(const struct gm_config *cfg, bool targets, char ***v, struct gm_err **err)
{
	struct sysroot *s = NULL;
	size_t n = 0;
	if (sysroot_list(cfg, &s, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		add(v, s[i].name);
	for (size_t i = 0; targets && i < n; i++) {
		add(v, s[i].suite);
		add(v, s[i].glibc_version);
	}
	sysroot_list_free(s, n);
	return targets ? recipe_names(cfg, "profiles.tsv", 4, 0, -1, v, err) : 0;
}

/* Root filesystems: the recipes' and the store's (built from elsewhere). */
static int tree_names(const struct gm_config *cfg, char ***v, struct gm_err **err)
{
	struct rootfs_recipe *rec = NULL;
	size_t n = 0;
	if (rootfs_recipes(cfg, &rec, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		add(v, rec[i].name);
	rootfs_recipes_free(rec, n);
	cleanup_strv char **built = NULL;
	if (rootfs_names(cfg, &built, err) < 0)
		return -1;
	for (size_t i = 0; built && built[i]; i++)
		add(v, built[i]);
	return 0;
}

/* The probe cases of cases.ini, test-only ones included (run --test-cases). */
static int case_names(const struct gm_config *cfg, char ***v, struct gm_err **err)
{
	struct gm_cases cs;
	if (cases_load(cfg, &cs, err) < 0)
		return -1;
	for (size_t i = 0; i < cs.n; i++)
		add(v, cs.v[i].name);
	cases_release(&cs);
	return 0;
}

static const char help[] =
	"usage: glibc-matrix __complete KIND\n"
	"       glibc-matrix [COMMAND [SUBCOMMAND]] " CMD_COMPLETE_WORDS "\n"
	"\n"
	"For shell completion: one name a line.  KIND: sysroots (the store's),\n"
	"targets (those, their suites and versions, and the profiles), profiles\n"
	"(profiles.tsv), manylinux (inspect --profile), trees (rootfs.tsv's and the\n"
	"store's), suites (suites.tsv), versions (versions.tsv), cases, methods.\n"
	CMD_COMPLETE_WORDS " after a command lists what may follow it: its\n"
	"subcommands, or its options, a line each with its short alias (NAME= takes\n"
	"a value).\n";

int cmd_complete(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	cleanup_strv char **v = xcalloc(1, sizeof(char *));
	const struct gm_config *cfg = ctx->cfg;
	if (argc == 1 || (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)))
		return gm_help(help);
	if (argc != 2)
		return gm_usage(err, "__complete: want one KIND (see --help)");
	const char *kind = argv[1];
	int r;
	if (strcmp(kind, "sysroots") == 0 || strcmp(kind, "targets") == 0)
		r = sysroot_names(cfg, kind[0] == 't', &v, err);
	else if (strcmp(kind, "profiles") == 0)
		r = recipe_names(cfg, "profiles.tsv", 4, 0, -1, &v, err);
	else if (strcmp(kind, "manylinux") == 0)
		r = recipe_names(cfg, "profiles-manylinux.tsv", 3, 0, 1, &v, err);
	else if (strcmp(kind, "suites") == 0)
		r = recipe_names(cfg, "suites.tsv", 2, 0, -1, &v, err);
	else if (strcmp(kind, "versions") == 0)
		r = recipe_names(cfg, "versions.tsv", 3, 0, -1, &v, err);
	else if (strcmp(kind, "trees") == 0)
		r = tree_names(cfg, &v, err);
	else if (strcmp(kind, "cases") == 0)
		r = case_names(cfg, &v, err);
	else if (strcmp(kind, "methods") == 0) {
		for (const struct method *const *m = method_all(); *m; m++)
			add(&v, (*m)->name);
		r = 0;
	} else
		return gm_usage(err, "__complete: unknown kind '%s' (see --help)", kind);
	if (r < 0)
		return -1;
	for (size_t i = 0; v[i]; i++)
		puts(v[i]);
	return 0;
}

void cmd_complete_options(const char *shortopts, const struct option *opts)
{
	/* A short option is printed beside the long one whose value it is. */
	char seen[256] = {0};
	for (const struct option *o = opts; o && o->name; o++) {
		const char *eq = o->has_arg == no_argument ? "" : "=";
		const char *s = o->val > 0 && o->val < 256 && o->val != ':' && o->val != '+'
			? strchr(shortopts, o->val) : NULL;
		if (s && !seen[(unsigned char)*s]) {
			seen[(unsigned char)*s] = 1;
			printf("--%s%s -%c%s\n", o->name, eq, *s, eq);
		} else
			printf("--%s%s\n", o->name, eq);
	}
	for (const char *s = shortopts; s && *s; s++)
		if (*s != '+' && *s != ':' && !seen[(unsigned char)*s])
			printf("-%c%s\n", *s, s[1] == ':' ? "=" : "");
}
