/* glibc-matrix explain FILE --against SYSROOT|VERSION: will FILE load against
 * that glibc, and if not, which symbol@version fails, needed by which object. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/closure-out.h"
#include "cli/cmd.h"
#include "cli/explain-all.h"
#include "cli/inputs.h"
#include "cli/select.h"
#include "cli/target-libs.h"
#include "verdict/causes.h"
#include "verdict/predict.h"
#include "store/resolve.h"
#include "elf/elfinfo.h"
#include "elf/lang.h"
#include "base/tsv.h"
#include "report/report.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix explain FILE --against S... [--why] [--closure] [--json]\n"
	"                            [--host-libs]\n"
	"       glibc-matrix explain FILE --against-all [--json]\n"
	"\n"
	"Predicts, from the ELF data alone, whether FILE loads when run by the loader of\n"
	"that glibc (ld.so --library-path <its libdirs>).  Every object the process would\n"
	"map is checked: FILE and, transitively, the libraries it needs.  Against a\n"
	"sysroot imported from a Debian suite those beyond glibc are the suite's (the\n"
	"packages that ship them are imported into it, as `check` does; a note names\n"
	"each package) and FILE is judged as on a system of that suite; against other\n"
	"sysroots, or with --host-libs, they are found as the host would find them.\n"
	"Each required GLIBC_x.y\n"
	"node is checked against what the sysroot's libraries define, and each symbol\n"
	"against the symbols defined at that node, so distribution backports count.\n"
	"FILE is never executed.  FILE may be PKG:PATH, one file of a package (a .deb,\n"
	"a tarball, a directory: see check), or a package holding one ELF file: it is\n"
	"unpacked into a private directory, removed after, and its package's library\n"
	"directories are searched after the sysroot's.\n"
	"\n"
	"  --against S   repeatable: a sysroot name (glibc-matrix sysroot list), a Debian\n"
	"                suite (bookworm: its import for FILE's architecture) or a glibc\n"
	"                version (2.36: the sysroot of that version for FILE's\n"
	"                architecture, the source build when there are two) or a\n"
	"                profile (rhel8, manylinux_2_28, ubuntu-22.04, debian12...:\n"
	"                sysroots/profiles.tsv; a note says what stands for it)\n"
	"  --against-all every sysroot of FILE's architecture in the store, oldest glibc\n"
	"                first, by the loader and interp methods: one table, and per\n"
	"                method the oldest glibc that runs FILE and the newest that does\n"
	"                not\n"
	"  --why         for each needed node that is missing: why the binary needs it\n"
	"                and what removes the need (sysroots/causes.tsv, each remedy\n"
	"                proven by a probe pair), or that no known cause explains it;\n"
	"                for a Go or Rust program also the way in its language's own\n"
	"                terms (sysroots/lang-remedies.tsv)\n"
	"  --closure     first the closure of FILE as shipped (inspect --closure): the\n"
	"                floor of FILE with its bundled libraries and who sets it\n"
	"                (JSON: \"closure\" in each result)\n"
	"  --json        machine-readable result (an array for several --against)\n"
	"\n"
	"A static executable carries its own libc: the loader method does not apply\n"
	"(skipped, as in check).\n"
	"\n"
	"Exit: 0 compatible (or skipped), 1 not compatible, 2 usage (unknown sysroot;\n"
	"FILE missing, not ELF or malformed), 3 infrastructure.\n";

/* The architecture of binary, which names in --against are resolved for
 * (store/resolve.h). */
static int binary_arch(const char *binary, const char **ret, struct gm_err **err)
{
	struct elf_info info;
	int r = elf_info_read(binary, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_usage(err, "'%s' is not an ELF file", binary);
	*ret = elf_machine_name(info.machine);
	elf_info_release(&info);
	return 0;
}

/* --why under one problem: its symbols grouped by cause. */
static void print_why(const struct causes *cs, const struct gm_problem *pb)
{
	struct cause_group *g;
	size_t n = causes_group(cs, pb->node, pb->symbols, &g);
	for (size_t i = 0; i < n; i++) {
		struct strbuf syms = STRBUF_INIT;
		strbuf_join(&syms, g[i].symbols, ", ");
		const char *what = syms.len ? strbuf_str(&syms) : pb->node;
		if (!g[i].cause) {
			printf("    why %s: no known cause (%s has no row for it)\n", what, cs->path);
		} else {
			printf("    why %s [%s]: %s\n", what, g[i].cause->id, g[i].cause->cause);
			printf("    remedy: %s\n", g[i].cause->remedy);
		}
		strbuf_release(&syms);
	}
	cause_groups_free(g, n);
}

/* The remedy in the language's own terms (sysroots/lang-remedies.tsv) for
 * a Go or Rust file, NULL for others; -1 + err when the table is bad. */
static int lang_remedy(const struct gm_config *cfg, const char *binary, char **ret,
		       struct gm_err **err)
{
	const char *lang = elf_lang_name(elf_lang_of(binary));
	*ret = NULL;
	if (!lang)
		return 0;
	cleanup_free char *path = path_join(cfg->recipes, "lang-remedies.tsv");
	struct tsv t;
	int r;
	if (tsv_open(&t, path, err) < 0)
		return -1;
	while ((r = tsv_next(&t, 2, 2, "lang, remedy", err)) == 1)
		if (strcmp(t.f[0], lang) == 0 && !*ret)
			*ret = xasprintf("%s: %s", lang, t.f[1]);
	tsv_release(&t);
	return r < 0 ? -1 : 0;
}

/* "PACKAGE VERSION" of a library the sysroot took from its suite, or NULL. */
static const char *shipped_by(const struct sysroot *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; s->shipped && s->shipped[i]; i++)
		if (strncmp(s->shipped[i], name, n) == 0 && s->shipped[i][n] == ' ')
			return s->shipped[i] + n + 1;
	return NULL;
}

static void print_text(const char *binary, const struct sysroot *s,
		       const struct gm_prediction *p, const struct causes *why)
{
	printf("%s against %s (glibc %s, %s): %s\n", binary, s->name, s->glibc_version, s->arch,
	       p->outcome == GM_OK		? "loads"
	       : p->outcome == GM_SKIPPED ? gm_outcome_name(p->outcome)
					  : "will NOT load");
	if (p->binary_floor)
		printf("  glibc floor of %s: GLIBC_%s\n", binary, p->binary_floor);
	if (p->outcome != GM_OK)
		printf("  outcome: %s (%s)\n", gm_outcome_name(p->outcome), p->detail);
	else if (*p->detail)
		printf("  note: %s\n", p->detail);
	for (size_t i = 0; i < p->n_problems; i++) {
		const struct gm_problem *pb = &p->problems[i];
		if (pb->kind == GM_MISSING_LIBRARY) {
			printf("  %s needs %s: not found\n", pb->object, pb->library);
			continue;
		}
		if (pb->kind == GM_FAILED) {
			printf("  glibc loads %s at run time (%s)%s%s\n", pb->library, pb->object,
			       pb->symbols[0] ? ": it lacks " : ": not found",
			       pb->symbols[0] ? pb->symbols[0] : "");
			continue;
		}
		if (pb->kind == GM_MISSING_SYMBOL && !pb->node) {
			printf("  %s needs symbols that no object of the process defines:\n",
			       pb->object);
			for (size_t k = 0; pb->symbols[k]; k++)
				printf("    %s\n", pb->symbols[k]);
			continue;
		}
		if (!pb->node) {
			printf("  %s: %s\n", pb->object, pb->library);
			continue;
		}
		printf("  %s needs %s from %s: %s\n", pb->object, pb->node, pb->library,
		       pb->kind == GM_SYMBOL_VERSION ? "this glibc does not define the version"
						     : "these symbols are not defined at that version");
		for (size_t k = 0; pb->symbols[k]; k++)
			printf("    %s@%s\n", pb->symbols[k], pb->node);
		if (why)
			print_why(why, pb);
	}
	for (size_t i = 0; p->libraries && p->libraries[i]; i++) {
		const char *path = strchr(p->libraries[i], ' ') + 1;
		const char *base = strrchr(path, '/');
		const char *pkg = str_starts(p->libraries[i], "sysroot ")
					  ? shipped_by(s, base ? base + 1 : path) : NULL;
		if (pkg)
			printf("  %s from sysroot %s (%s's %s): %s\n", base ? base + 1 : path, s->name,
			       s->suite, pkg, path);
		else if (str_starts(p->libraries[i], "sysroot "))
			printf("  %s from sysroot %s: %s\n", base ? base + 1 : path, s->name, path);
		else if (str_starts(p->libraries[i], "bundle "))
			printf("  %s from the binary's own search path: %s\n", base ? base + 1 : path,
			       path);
		else
			printf("  %s from the host: %s\n", base ? base + 1 : path, path);
	}
}

static json_object *to_json(const char *binary, const struct sysroot *s,
			    const struct gm_prediction *p, const struct causes *why)
{
	json_object *o = json_object_new_object();
	json_object *probs = json_object_new_array();
	json_object *hosts = json_object_new_array();
	json_object_object_add(o, "file", json_object_new_string(binary));
	json_object_object_add(o, "sysroot", json_object_new_string(s->name));
	json_object_object_add(o, "glibc_version", json_object_new_string(s->glibc_version));
	json_object_object_add(o, "outcome", json_object_new_string(gm_outcome_name(p->outcome)));
	json_object_object_add(o, "detail", json_object_new_string(p->detail));
	json_object_object_add(o, "glibc_floor",
			       p->binary_floor ? json_object_new_string(p->binary_floor) : NULL);
	for (size_t i = 0; i < p->n_problems; i++) {
		const struct gm_problem *pb = &p->problems[i];
		json_object *j = json_object_new_object();
		json_object *syms = json_object_new_array();
		json_object_object_add(j, "kind", json_object_new_string(gm_outcome_name(pb->kind)));
		json_object_object_add(j, "object", json_object_new_string(pb->object));
		json_object_object_add(j, "library", json_object_new_string(pb->library));
		json_object_object_add(j, "node", pb->node ? json_object_new_string(pb->node) : NULL);
		for (size_t k = 0; pb->symbols[k]; k++)
			json_object_array_add(syms, json_object_new_string(pb->symbols[k]));
		json_object_object_add(j, "symbols", syms);
		if (why && pb->node)
			json_object_object_add(j, "why", report_why_json(why, pb, true));
		json_object_array_add(probs, j);
	}
	json_object_object_add(o, "problems", probs);
	for (size_t i = 0; p->host_libs[i]; i++)
		json_object_array_add(hosts, json_object_new_string(p->host_libs[i]));
	json_object_object_add(o, "host_libraries", hosts);
	json_object_object_add(o, "libraries", report_libraries_json(p->libraries));
	if (s->shipped)
		json_object_object_add(o, "suite_libraries", report_suite_libraries_json(s->shipped));
	return o;
}

/* What explain was asked, beyond FILE and the sysroots. */
struct explain_opts {
	bool json, closure, every, why, host_libs;
};

/* FILE, or PKG:PATH (one file of a package, cli/inputs.h: unpacked into
 * a private directory, its package's library directories searched after
 * the sysroot's, as check does), or a package of one ELF file. */
struct explain_file {
	char *tmp;                 /* the private directory, or NULL */
	struct check_inputs in;
	const char *name, *path;   /* as shown, as read */
	char *const *libdirs;
};

static int explain_file_open(const struct gm_ctx *ctx, const char *arg, struct explain_file *f,
			     struct gm_err **err)
{
	if (inputs_have_package((char *[]){(char *)arg, NULL})) {
		const char *t = getenv("TMPDIR");
		f->tmp = xasprintf("%s/glibc-matrix-explain-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(f->tmp)) {
			int e = errno;
			free(f->tmp);
			f->tmp = NULL;
			return gm_infra(err, e, "cannot create a directory in %s", t && *t ? t : "/tmp");
		}
	}
	if (inputs_expand(ctx, (char *[]){(char *)arg, NULL}, f->tmp, &f->in, err) < 0)
		return -1;
	if (f->in.n != 1)
		return gm_usage(err, "explain: '%s' is a package of %zu ELF files; name one as "
				     "%s:PATH (%s is one), or check them all with check", arg,
				f->in.n, arg, strchr(f->in.names[0], ':') + 1);
	f->name = f->in.names[0];
	f->path = f->in.paths[0];
	f->libdirs = f->in.libdirs[0];
	if (!f->tmp && !path_is_file(f->path))
		return gm_usage(err, "explain: '%s' is not a readable file", arg);
	return 0;
}

static void explain_file_release(struct explain_file *f)
{
	inputs_release(&f->in);
	if (f->tmp)
		rm_rf(f->tmp, NULL);
	free(f->tmp);
}

static int explain(struct gm_ctx *ctx, const struct explain_file *f, char **against,
		   const struct explain_opts *o, struct gm_err **err)
{
	/* Several --against: one answer each, in order; --json gives an array
	 * then (one object for one sysroot, as before). */
	const char *arch = NULL, *binary = f->path, *shown = f->name;
	bool json = o->json, closure = o->closure, why = o->why;
	if (binary_arch(binary, &arch, err) < 0)
		return -1;
	if (o->every)
		return explain_against_all(ctx, binary, f->libdirs, arch, json, o->host_libs, err);
	struct causes causes = {0};
	cleanup_free char *lremedy = NULL;
	if (why && (causes_load(ctx->cfg, &causes, err) < 0 ||
		    lang_remedy(ctx->cfg, binary, &lremedy, err) < 0)) {
		causes_release(&causes);
		return -1;
	}
	struct closure cl = {0};
	if (closure && elf_closure(binary, &cl, err) < 0)
		return -1;
	if (closure && !json)
		closure_print(stdout, shown, &cl);
	json_object *arr = json_object_new_array();
	int r = 0;
	for (size_t i = 0; against[i]; i++) {
		struct sysroot s;
		struct gm_prediction p;
		if (sysroot_resolve(ctx->cfg, ctx, against[i], arch, &s, err) < 0) {
			r = -1;
			break;
		}
		bool own = false;
		if ((!o->host_libs && target_libs_file(ctx, binary, &s, 1, &own, err) < 0) ||
		    predict_dirs(binary, &s, own, f->libdirs, &p, err) < 0) {
			sysroot_release(&s);
			r = -1;
			break;
		}
		bool failed = p.outcome != GM_OK && p.outcome != GM_SKIPPED;
		if (json) {
			json_object *j = to_json(shown, &s, &p, why ? &causes : NULL);
			if (closure)
				json_object_object_add(j, "closure", closure_json(shown, &cl));
			if (lremedy && failed)
				json_object_object_add(j, "language_remedy",
						       json_object_new_string(lremedy));
			json_object_array_add(arr, j);
		} else {
			print_text(shown, &s, &p, why ? &causes : NULL);
			if (lremedy && failed)
				printf("  remedy for this program's language: %s\n", lremedy);
		}
		/* A static executable is not the loader's to run (skipped, as
		 * `check` says): no finding. */
		if (failed)
			r = GM_EXIT_FINDINGS;
		prediction_release(&p);
		sysroot_release(&s);
	}
	if (r >= 0 && json) {
		json_object *out = json_object_array_length(arr) == 1
					   ? json_object_get(json_object_array_get_idx(arr, 0))
					   : json_object_get(arr);
		printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY |
									JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(out);
	}
	json_object_put(arr);
	closure_release(&cl);
	causes_release(&causes);
	return r;
}

int cmd_explain(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_JSON = 1000, OPT_CLOSURE, OPT_ALL, OPT_WHY, OPT_HOST_LIBS };
	static const struct option opts[] = {
		{"against", required_argument, NULL, 'a'},
		{"closure", no_argument, NULL, OPT_CLOSURE},
		{"against-all", no_argument, NULL, OPT_ALL},
		{"why", no_argument, NULL, OPT_WHY},
		{"json", no_argument, NULL, OPT_JSON},
		{"host-libs", no_argument, NULL, OPT_HOST_LIBS},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	cleanup_strv char **against = xcalloc(1, sizeof(char *));
	bool json = false, closure = false, every = false, why = false, host_libs = false;
	int c;

	while ((c = getopt_long(argc, argv, "a:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		if (c == 'a')
			strv_push(&against, optarg);
		else if (c == OPT_JSON)
			json = true;
		else if (c == OPT_CLOSURE)
			closure = true;
		else if (c == OPT_ALL)
			every = true;
		else if (c == OPT_WHY)
			why = true;
		else if (c == OPT_HOST_LIBS)
			host_libs = true;
		else if (c == 'h')
			return gm_help(help);
		else
			return cmd_bad_option(err, "explain", argv, "a:hq", opts);
	}
	if (every && (against[0] || closure))
		return gm_usage(err, "explain: --against-all takes no --against and no --closure");
	if (optind + 1 != argc || (!against[0] && !every))
		return gm_usage(err, "explain: want one FILE and --against SYSROOT|VERSION or "
				     "--against-all (see --help)");
	struct explain_opts eo = {.json = json, .closure = closure, .every = every, .why = why,
				  .host_libs = host_libs};
	struct explain_file f = {0};
	int r = explain_file_open(ctx, argv[optind], &f, err);
	if (r == 0)
		r = explain(ctx, &f, against, &eo, err);
	explain_file_release(&f);
	return r;
}

