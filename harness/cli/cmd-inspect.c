/* glibc-matrix inspect FILE|DIR... [-r] [--json]: what each ELF file needs
 * from glibc, read statically (the file is never executed). */
#define _GNU_SOURCE
#include "acquire/package.h"
#include "base/cleanup.h"
#include "cli/closure-out.h"
#include "cli/cmd.h"
#include "cli/inspect-gate.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
	"usage: glibc-matrix inspect FILE|DIR|PKG... [-r] [--json]\n"
	"       glibc-matrix inspect --max-glibc VERSION|--profile NAME FILE|DIR|PKG... [-r] [--json]\n"
	"       glibc-matrix inspect --closure FILE... [--json]\n"
	"\n"
	"For each ELF file: interpreter, needed libraries, runpath, the glibc version\n"
	"nodes it requires grouped by library, its glibc floor (the highest GLIBC_x.y\n"
	"needed from libc, libm, libpthread, libdl, librt, libutil, libanl, libresolv\n"
	"or ld.so) and the special nodes (GLIBC_PRIVATE, GLIBC_ABI_DT_RELR,\n"
	"GLIBC_ABI_GNU2_TLS).  Files are read with libelf, never executed.\n"
	"\n"
	"  -r, --recursive   descend into directories (symlinks are not followed)\n"
	"      --closure     the file as shipped: it and every library it needs that its\n"
	"                    own RUNPATH/RPATH ($ORIGIN expanded) finds, transitively;\n"
	"                    the floor of the whole closure and the object that sets it;\n"
	"                    glibc's libraries and the rest are left to the target system\n"
	"      --json        one JSON array of objects\n"
	"      --max-glibc VERSION\n"
	"                    a gate, ELF only (no root, runtime or sysroot): each file\n"
	"                    that requires more than glibc VERSION, with the nodes and\n"
	"                    the symbols bound to them (GLIBC_x.y newer than VERSION,\n"
	"                    GLIBC_PRIVATE, GLIBC_ABI_* of a later glibc), then a\n"
	"                    summary; static executables have no version needs\n"
	"                    (--json: per ELF file file, floor, over, static, nodes,\n"
	"                    libraries); exit 1 when a file is over\n"
	"      --profile NAME\n"
	"                    the same against a manylinux profile (manylinux2014,\n"
	"                    manylinux_2_28, _2_31, _2_34, _2_35: its glibc limit, its\n"
	"                    GLIBCXX/CXXABI/GCC limits and its allowed libraries, as\n"
	"                    auditwheel's policy lists them; sysroots/profiles-manylinux.tsv)\n"
	"\n"
	"PKG, a .deb or a tarball (.tgz, .tar.*), is unpacked into a private directory\n"
	"(removed after; refused when corrupt or over the bounds of check PKG) and each\n"
	"of its ELF files is shown as PKG:path, then the package's floor and the file\n"
	"and symbol that set it.\n"
	"A directory without -r means its files.  Non-ELF files found in directories\n"
	"are skipped; malformed ELF files are reported on stderr and the scan goes on.\n"
	"Exit: 0 all read (with a gate: none over), 1 a file over the gate, 2 usage,\n"
	"a named file missing or not ELF, or a file malformed (the others are still\n"
	"reported).\n";

struct scan {
	bool json, recursive;
	size_t printed, bad;
	FILE *out;
	struct inspect_gate *gate; /* --max-glibc, --profile */
};

static const char *type_name(const struct elf_info *in)
{
	if (in->type == ET_EXEC)
		return in->interp ? "executable" : "static executable";
	if (in->type == ET_DYN)
		return in->interp ? "PIE executable" : "shared object";
	if (in->type == ET_REL)
		return "relocatable object";
	if (in->type == ET_CORE)
		return "core file";
	return "ELF file";
}

static json_object *jstrv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void print_json(struct scan *sc, const char *path, const struct elf_info *in)
{
	json_object *o = json_object_new_object();
	json_object *req = json_object_new_object();
	json_object *special = json_object_new_array();
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "class", json_object_new_int(in->elfclass == ELFCLASS64 ? 64 : 32));
	json_object_object_add(o, "machine", json_object_new_string(elf_machine_name(in->machine)));
	json_object_object_add(o, "type", json_object_new_string(type_name(in)));
	json_object_object_add(o, "interpreter", jstr_or_null(in->interp));
	json_object_object_add(o, "soname", jstr_or_null(in->soname));
	json_object_object_add(o, "needed", jstrv(in->needed));
	json_object_object_add(o, "runpath", jstr_or_null(in->runpath));
	json_object_object_add(o, "build_id", jstr_or_null(in->build_id));
	json_object_object_add(o, "rpath", jstr_or_null(in->rpath));
	for (size_t i = 0; i < in->n_needs; i++) {
		json_object *nodes = json_object_new_array();
		for (size_t k = 0; k < in->needs[i].n_nodes; k++) {
			const char *nm = in->needs[i].nodes[k].name;
			json_object_array_add(nodes, json_object_new_string(nm));
			if (glibc_node_special(nm)) {
				json_object *sp = json_object_new_object();
				json_object_object_add(sp, "node", json_object_new_string(nm));
				json_object_object_add(sp, "library", json_object_new_string(in->needs[i].file));
				json_object_object_add(sp, "since", jstr_or_null(glibc_special_since(nm)));
				json_object_array_add(special, sp);
			}
		}
		json_object_object_add(req, in->needs[i].file, nodes);
	}
	json_object_object_add(o, "requires", req);
	const char *floor = glibc_floor(in);
	json_object_object_add(o, "glibc_floor", floor ? json_object_new_string(floor) : NULL);
	json_object_object_add(o, "special", special);
	json_object_object_add(o, "defines", jstrv(in->verdefs));
	fprintf(sc->out, "%s%s", sc->printed ? ",\n" : "",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_text(struct scan *sc, const char *path, const struct elf_info *in)
{
	FILE *f = sc->out;
	const char *floor = glibc_floor(in);
	fprintf(f, "%s: ELF%d %s %s\n", path, in->elfclass == ELFCLASS64 ? 64 : 32,
		elf_machine_name(in->machine), type_name(in));
	if (in->interp)
		fprintf(f, "  interpreter: %s\n", in->interp);
	if (in->soname)
		fprintf(f, "  soname:      %s\n", in->soname);
	if (strv_len(in->needed)) {
		fprintf(f, "  needed:     ");
		for (size_t i = 0; in->needed[i]; i++)
			fprintf(f, " %s", in->needed[i]);
		fprintf(f, "\n");
	}
	if (in->runpath)
		fprintf(f, "  runpath:     %s\n", in->runpath);
	if (in->build_id)
		fprintf(f, "  build id:    %s\n", in->build_id);
	if (in->rpath)
		fprintf(f, "  rpath:       %s\n", in->rpath);
	if (floor)
		fprintf(f, "  glibc floor: GLIBC_%s\n", floor);
	else
		fprintf(f, "  glibc floor: none%s\n", in->interp || strv_len(in->needed) ? "" : " (static)");
	for (size_t i = 0; i < in->n_needs; i++) {
		fprintf(f, "  requires %s:", in->needs[i].file);
		for (size_t k = 0; k < in->needs[i].n_nodes; k++)
			fprintf(f, " %s%s", in->needs[i].nodes[k].name,
				in->needs[i].nodes[k].weak ? "(weak)" : "");
		fprintf(f, "\n");
	}
	for (size_t i = 0; i < in->n_needs; i++)
		for (size_t k = 0; k < in->needs[i].n_nodes; k++) {
			const char *nm = in->needs[i].nodes[k].name;
			if (!glibc_node_special(nm))
				continue;
			const char *since = glibc_special_since(nm);
			fprintf(f, "  special:     %s from %s%s%s%s\n", nm, in->needs[i].file,
				since ? " (glibc >= " : strcmp(nm, "GLIBC_PRIVATE") == 0
							? " (ties the file to one glibc build)"
							: "",
				since ? since : "", since ? ")" : "");
		}
}

/* Reads one file, shown as display (its path, or PKG:path).  named: a
 * file the user named, so not ELF is an error (directory scans skip it). */
static void inspect_file(struct scan *sc, const char *path, const char *display, bool named)
{
	struct elf_info in;
	struct gm_err *err = NULL;
	int r = elf_info_read_flags(path, sc->gate ? ELF_READ_SYMBOLS : 0, &in, &err);
	if (r < 0) {
		fprintf(stderr, "glibc-matrix: %s\n", err->msg);
		gm_err_free(&err);
		sc->bad++;
		return;
	}
	if (r == 0) {
		if (named) {
			fprintf(stderr, "glibc-matrix: '%s': not an ELF file\n", path);
			sc->bad++;
		}
		return;
	}
	if (sc->gate)
		inspect_gate_file(sc->gate, display, &in, sc->printed == 0);
	else if (sc->json)
		print_json(sc, display, &in);
	else
		print_text(sc, display, &in);
	sc->printed++;
	elf_info_release(&in);
}

static void scan_dir(struct scan *sc, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "glibc-matrix: cannot read directory '%s': %s\n", dir, strerror(errno));
		sc->bad++;
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (strcmp(nm, ".") && strcmp(nm, "..")) {
			cleanup_free char *p = path_join(dir, nm);
			struct stat st;
			if (lstat(p, &st) == 0) {
				if (S_ISREG(st.st_mode))
					inspect_file(sc, p, p, false);
				else if (S_ISDIR(st.st_mode) && sc->recursive)
					scan_dir(sc, p);
			}
		}
		free(names[i]);
	}
	free(names);
}

/* --closure: each FILE as shipped; every FILE is read before anything is
 * printed, so a bad one is an error and no half output. */
static int inspect_closures(char **files, bool json, struct gm_err **err)
{
	size_t n = strv_len(files);
	struct closure *cs = xcalloc(n, sizeof(*cs));
	int r = 0;
	size_t done = 0;
	for (; done < n && r == 0; done++)
		if (path_is_dir(files[done]))
			r = gm_usage(err, "inspect --closure: '%s' is a directory; want files",
				     files[done]);
		else if (elf_closure(files[done], &cs[done], err) < 0)
			r = -1;
	if (r == 0) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			if (json)
				json_object_array_add(arr, closure_json(files[i], &cs[i]));
			else
				closure_print(stdout, files[i], &cs[i]);
		if (json)
			printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(arr);
	}
	for (size_t i = 0; i < done; i++)
		closure_release(&cs[i]);
	free(cs);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A package's ELF files (acquire/package.h), each shown as PKG:path, then
 * (text without a gate) its floor and who sets it.  Unpacked into a
 * private directory, removed after. */
static void inspect_package(struct scan *sc, const char *path, enum package_kind kind)
{
	const char *tmp = getenv("TMPDIR");
	cleanup_free char *dir = xasprintf("%s/glibc-matrix-inspect-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	struct gm_err *err = NULL;
	struct package p;
	if (!mkdtemp(dir)) {
		fprintf(stderr, "glibc-matrix: cannot create a directory in %s: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		sc->bad++;
		return;
	}
	cleanup_free char *dest = path_join(dir, "package");
	if (package_open(path, path, kind, dest, NULL, &p, &err) < 0) {
		fprintf(stderr, "glibc-matrix: %s\n", err->msg);
		gm_err_free(&err);
		sc->bad++;
		rm_rf(dir, NULL);
		return;
	}
	cleanup_strv char **all = strv_dup(p.files);
	for (size_t i = 0; p.passed_over[i]; i++)
		strv_push(&all, p.passed_over[i]);
	qsort(all, strv_len(all), sizeof(char *), cmp_str);
	for (size_t i = 0; all[i]; i++) {
		cleanup_free char *abs = path_join(p.root, all[i]);
		cleanup_free char *shown = xasprintf("%s:%s", path, all[i]);
		inspect_file(sc, abs, shown, true);
	}
	if (!sc->json && !sc->gate && p.floor)
		fprintf(sc->out, "%s: package floor GLIBC_%s, set by %s:%s (%s%s%s from %s)\n", path,
			p.floor, path, p.floor_file, p.floor_symbol ? p.floor_symbol : "",
			p.floor_symbol ? "@GLIBC_" : "GLIBC_", p.floor, p.floor_library);
	package_release(&p);
	rm_rf(dir, NULL);
}

/* The plain scan and the gate share it: FILE|DIR|PKG... in order, one
 * JSON array when asked. */
static int inspect_paths(struct scan *sc, char **paths)
{
	if (sc->json)
		fputs("[", sc->out);
	for (size_t i = 0; paths[i]; i++) {
		struct stat st;
		enum package_kind kind;
		struct gm_err *e = NULL;
		if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
			scan_dir(sc, paths[i]);
		else if (package_kind_of(paths[i], &kind, &e) == 1)
			inspect_package(sc, paths[i], kind);
		else
			inspect_file(sc, paths[i], paths[i], true);
		gm_err_free(&e);
	}
	if (sc->json)
		fputs("]\n", sc->out);
	int r = sc->gate ? inspect_gate_finish(sc->gate, sc->bad) : 0;
	/* A malformed file is a usage error, as without a gate: the gate
	 * could not judge everything it was given. */
	return sc->bad ? GM_EXIT_USAGE : r;
}

static int inspect_gated(struct gm_ctx *ctx, struct scan *sc, char **paths, const char *max_glibc,
			 const char *profile, struct gm_err **err)
{
	struct inspect_gate ig;
	if (max_glibc && profile)
		return gm_usage(err, "inspect: --profile sets the glibc limit; give one of "
				     "--max-glibc and --profile");
	if (inspect_gate_init(&ig, ctx->cfg, max_glibc, profile, sc->json, sc->out, err) < 0)
		return -1;
	sc->gate = &ig;
	int r = inspect_paths(sc, paths);
	sc->gate = NULL;
	inspect_gate_release(&ig);
	return r;
}

int cmd_inspect(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	enum { OPT_JSON = 1000, OPT_CLOSURE, OPT_MAX_GLIBC, OPT_PROFILE };
	static const struct option opts[] = {
		{"recursive", no_argument, NULL, 'r'},
		{"closure", no_argument, NULL, OPT_CLOSURE},
		{"json", no_argument, NULL, OPT_JSON},
		{"max-glibc", required_argument, NULL, OPT_MAX_GLIBC},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	struct scan sc = {.out = stdout};
	bool closure = false;
	const char *max_glibc = NULL, *profile = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "rhq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		if (c == 'r')
			sc.recursive = true;
		else if (c == OPT_JSON)
			sc.json = true;
		else if (c == OPT_CLOSURE)
			closure = true;
		else if (c == OPT_MAX_GLIBC)
			max_glibc = optarg;
		else if (c == OPT_PROFILE)
			profile = optarg;
		else if (c == 'h')
			return gm_help(help);
		else
			return cmd_bad_option(err, "inspect", argv, "rhq", opts);
	}
	if (optind >= argc)
		return gm_usage(err, "inspect: want at least one FILE or DIR (see --help)");
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0)
			return gm_usage(err, "inspect: cannot read '%s': %s", argv[i], strerror(errno));
	}
	if (closure && (max_glibc || profile))
		return gm_usage(err, "inspect: --closure does not take --max-glibc or --profile");
	if (closure)
		return inspect_closures(argv + optind, sc.json, err);
	if (max_glibc || profile)
		return inspect_gated(ctx, &sc, argv + optind, max_glibc, profile, err);
	return inspect_paths(&sc, argv + optind);
}
