/* glibc-matrix explain FILE --against SYSROOT|VERSION: will FILE load against
 * that glibc, and if not, which symbol@version fails, needed by which object. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "cli/select.h"
#include "verdict/predict.h"
#include "store/sysroot.h"
#include "elf/elfinfo.h"
#include "base/fs.h"
#include "base/util.h"

#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
	"usage: glibc-matrix explain FILE --against SYSROOT|VERSION [--json]\n"
	"\n"
	"Predicts, from the ELF data alone, whether FILE loads when run by the loader of\n"
	"that glibc (ld.so --library-path <its libdirs>).  Every object the process would\n"
	"map is checked: FILE and, transitively, the libraries it needs (those that are\n"
	"not glibc's are found as the host would find them).  Each required GLIBC_x.y\n"
	"node is checked against what the sysroot's libraries define, and each symbol\n"
	"against the symbols defined at that node, so distribution backports count.\n"
	"FILE is never executed.\n"
	"\n"
	"  --against S   a sysroot name (glibc-matrix sysroot list) or a glibc version,\n"
	"                which picks a sysroot of that version for FILE's architecture\n"
	"  --json        machine-readable result\n"
	"\n"
	"Exit: 0 compatible, 1 not compatible, 2 usage (unknown sysroot, missing file).\n";

/* A sysroot by name, or by glibc version for the binary's architecture. */
static int pick_sysroot(const char *against, const char *binary, struct sysroot *ret,
			struct gm_err **err)
{
	struct sysroot *v;
	size_t n;
	struct elf_info info;
	const char *arch = NULL;

	if (!version_valid(against))
		return sysroot_find(against, ret, err);
	int r = elf_info_read(binary, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_usage(err, "'%s' is not an ELF file", binary);
	arch = elf_machine_name(info.machine);
	elf_info_release(&info);
	if (select_all_sysroots(&v, &n, err) < 0)
		return -1;
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].glibc_version, against) || strcmp(v[i].arch, arch))
			continue;
		/* A from-source build is upstream's glibc; prefer it to a distribution's. */
		if (best < 0 || (strcmp(v[i].origin, "source") == 0 &&
				 strcmp(v[best].origin, "source") != 0))
			best = (int)i;
	}
	if (best < 0) {
		sysroot_list_free(v, n);
		return gm_usage(err,
				"no sysroot with glibc %s for %s in the store; make one with "
				"'glibc-matrix sysroot build %s' or 'sysroot import'",
				against, arch, against);
	}
	*ret = v[best];
	memset(&v[best], 0, sizeof(v[best]));
	sysroot_list_free(v, n);
	return 0;
}

static void print_text(const char *binary, const struct sysroot *s,
		       const struct gm_prediction *p)
{
	printf("%s against %s (glibc %s, %s): %s\n", binary, s->name, s->glibc_version, s->arch,
	       p->outcome == GM_OK ? "loads" : "will NOT load");
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
		printf("  %s needs %s from %s: %s\n", pb->object, pb->node, pb->library,
		       pb->kind == GM_SYMBOL_VERSION ? "this glibc does not define the version"
						     : "these symbols are not defined at that version");
		for (size_t k = 0; pb->symbols[k]; k++)
			printf("    %s@%s\n", pb->symbols[k], pb->node);
	}
	for (size_t i = 0; p->host_libs[i]; i++)
		printf("  from the host: %s\n", p->host_libs[i]);
}

static void print_json(const char *binary, const struct sysroot *s,
		       const struct gm_prediction *p)
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
		json_object_array_add(probs, j);
	}
	json_object_object_add(o, "problems", probs);
	for (size_t i = 0; p->host_libs[i]; i++)
		json_object_array_add(hosts, json_object_new_string(p->host_libs[i]));
	json_object_object_add(o, "host_libraries", hosts);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

int cmd_explain(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_JSON = 1000 };
	static const struct option opts[] = {
		{"against", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *against = NULL;
	bool json = false;
	int c;
	(void)ctx;

	while ((c = getopt_long(argc, argv, "a:h", opts, NULL)) != -1) {
		if (c == 'a')
			against = optarg;
		else if (c == OPT_JSON)
			json = true;
		else if (c == 'h')
			return gm_help(help);
		else
			return gm_usage(err, "explain: bad option (see --help)");
	}
	if (optind + 1 != argc || !against)
		return gm_usage(err, "explain: want one FILE and --against SYSROOT|VERSION (see --help)");
	const char *binary = argv[optind];
	if (!path_is_file(binary))
		return gm_usage(err, "explain: '%s' is not a readable file", binary);

	struct sysroot s;
	struct gm_prediction p;
	if (pick_sysroot(against, binary, &s, err) < 0)
		return -1;
	if (predict_loader(binary, &s, &p, err) < 0) {
		sysroot_release(&s);
		return -1;
	}
	if (json)
		print_json(binary, &s, &p);
	else
		print_text(binary, &s, &p);
	int r = p.outcome == GM_OK ? 0 : GM_EXIT_FINDINGS;
	prediction_release(&p);
	sysroot_release(&s);
	return r;
}
