#define _GNU_SOURCE
#include "predict.h"
#include "cleanup.h"
#include "elfinfo.h"
#include "glibcver.h"
#include "util.h"

#include <elf.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[GM_OUTCOME_COUNT] = {
	"ok", "symbol-version", "missing-library", "mixed-glibc", "crash",
	"exec-failed", "timeout", "wrong-libc", "failed", "skipped",
};

const char *gm_outcome_name(enum gm_outcome o)
{
	return o < GM_OUTCOME_COUNT ? outcome_names[o] : "?";
}

int gm_outcome_parse(const char *name)
{
	for (int i = 0; i < GM_OUTCOME_COUNT; i++)
		if (strcmp(outcome_names[i], name) == 0)
			return i;
	return -1;
}

/* One object of the simulated process. */
struct object {
	char *path;
	struct elf_info info;
	bool from_sysroot;
};

struct sim {
	const struct sysroot *run;
	struct object *objs;
	size_t n;
	int machine;
	struct gm_prediction *pred;
};

static void add_problem(struct sim *s, enum gm_outcome kind, const char *object,
			const char *library, const char *node, char **symbols)
{
	struct gm_prediction *p = s->pred;
	p->problems = xrealloc(p->problems, (p->n_problems + 1) * sizeof(*p->problems));
	struct gm_problem *pb = &p->problems[p->n_problems++];
	pb->kind = kind;
	pb->object = xstrdup(object);
	pb->library = xstrdup(library);
	pb->node = node ? xstrdup(node) : NULL;
	pb->symbols = symbols ? symbols : xcalloc(1, sizeof(char *));
}

static struct object *find_object(struct sim *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->objs[i].path, path) == 0)
			return &s->objs[i];
	return NULL;
}

/* Adds path to the process (once).  Unreadable libraries are skipped: the
 * loader would fail on them in ways the run will show. */
static struct object *load_object(struct sim *s, const char *path, bool from_sysroot,
				  struct gm_err **err)
{
	struct object *o = find_object(s, path);
	struct elf_info info;
	if (o)
		return o;
	int r = elf_info_read_flags(path, ELF_READ_SYMBOLS, &info, err);
	if (r <= 0)
		return NULL;
	s->objs = xrealloc(s->objs, (s->n + 1) * sizeof(*s->objs));
	o = &s->objs[s->n++];
	o->path = xstrdup(path);
	o->info = info;
	o->from_sysroot = from_sysroot;
	return o;
}

static char *in_sysroot(const struct sysroot *run, const char *name)
{
	for (size_t i = 0; run->libdirs[i]; i++) {
		char *p = path_join(run->libdirs[i], name);
		if (path_exists(p))
			return p;
		free(p);
	}
	return NULL;
}

/* Expands $ORIGIN / ${ORIGIN} in one search-path entry. */
static char *expand_origin(const char *entry, const char *object)
{
	cleanup_free char *copy = xstrdup(object);
	const char *origin = dirname(copy);
	char *out = xstrdup("");
	for (const char *p = entry; *p;) {
		size_t skip = str_starts(p, "$ORIGIN") ? 7 : str_starts(p, "${ORIGIN}") ? 9 : 0;
		char *next = skip ? xasprintf("%s%s", out, origin) : xasprintf("%s%c", out, *p);
		free(out);
		out = next;
		p += skip ? skip : 1;
	}
	return out;
}

static char *search_path(const char *list, const char *name, const char *object, int machine)
{
	cleanup_free char *copy = xstrdup(list);
	char *save = NULL;
	for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
		cleanup_free char *dir = expand_origin(e, object);
		char *p = path_join(dir, name);
		struct elf_info info;
		/* The loader skips libraries of another machine and keeps looking. */
		if (path_is_file(p) && elf_info_read(p, &info, NULL) == 1) {
			bool ok = info.machine == machine;
			elf_info_release(&info);
			if (ok)
				return p;
		}
		free(p);
	}
	return NULL;
}

/* Finds a library that is not glibc's the way the host's loader would. */
static char *on_host(const struct object *o, const char *name, int machine)
{
	static const char host_dirs[] = "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:"
					"/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:"
					"/lib/riscv64-linux-gnu:/usr/lib/riscv64-linux-gnu:"
					"/lib64:/usr/lib64:/lib:/usr/lib";
	char *p = NULL;
	if (strchr(name, '/'))
		return path_is_file(name) ? xstrdup(name) : NULL;
	if (o->info.rpath && !o->info.runpath)
		p = search_path(o->info.rpath, name, o->path, machine);
	if (!p && o->info.runpath)
		p = search_path(o->info.runpath, name, o->path, machine);
	if (!p)
		p = search_path(host_dirs, name, o->path, machine);
	return p;
}

/* Walks DT_NEEDED breadth-first from the binary, as the loader maps them. */
static int map_needed(struct sim *s, struct gm_err **err)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; s->objs[i].info.needed[k]; k++) {
			const char *name = s->objs[i].info.needed[k];
			char *path = in_sysroot(s->run, name);
			bool sys = path != NULL;
			if (!path && !glibc_is_floor_lib(name))
				path = on_host(&s->objs[i], name, s->machine);
			if (!path) {
				add_problem(s, GM_MISSING_LIBRARY, s->objs[i].path, name, NULL, NULL);
				continue;
			}
			if (!find_object(s, path) && !sys)
				strv_push(&s->pred->host_libs, path);
			struct gm_err *lerr = NULL;
			load_object(s, path, sys, &lerr);
			gm_err_free(&lerr);
			free(path);
			/* objs may have moved: re-index on the next round */
		}
	}
	(void)err;
	return 0;
}

static struct object *sysroot_object(struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!s->objs[i].from_sysroot)
			continue;
		const char *base = strrchr(s->objs[i].path, '/');
		base = base ? base + 1 : s->objs[i].path;
		if (strcmp(base, name) == 0 ||
		    (s->objs[i].info.soname && strcmp(s->objs[i].info.soname, name) == 0))
			return &s->objs[i];
	}
	return NULL;
}

/* Is symbol defined at node by some sysroot object in the process? */
static bool resolves(struct sim *s, const char *node, const char *symbol)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!s->objs[i].from_sysroot)
			continue;
		const struct elf_verdef *d = elf_find_def(&s->objs[i].info, node);
		if (d && elf_def_has_symbol(d, symbol))
			return true;
	}
	return false;
}

static void check_versions(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct object *o = &s->objs[i];
		for (size_t k = 0; k < o->info.n_needs; k++) {
			const struct elf_verneed *need = &o->info.needs[k];
			struct object *lib = sysroot_object(s, need->file);
			if (!lib)
				continue; /* a host library, or missing (reported already) */
			for (size_t m = 0; m < need->n_nodes; m++) {
				const struct elf_vernode *node = &need->nodes[m];
				if (node->weak)
					continue; /* the loader only warns about weak nodes */
				if (!elf_find_def(&lib->info, node->name)) {
					char **syms = NULL;
					for (size_t q = 0; node->symbols[q]; q++)
						strv_push(&syms, node->symbols[q]);
					add_problem(s, GM_SYMBOL_VERSION, o->path, need->file, node->name, syms);
					continue;
				}
				char **missing = NULL;
				for (size_t q = 0; node->symbols[q]; q++)
					if (!resolves(s, node->name, node->symbols[q]))
						strv_push(&missing, node->symbols[q]);
				if (missing)
					add_problem(s, GM_MIXED_GLIBC, o->path, need->file, node->name, missing);
			}
		}
	}
}

/* The class the loader would report: it fails while mapping before it
 * checks versions, and checks versions before it binds symbols. */
static void conclude(struct gm_prediction *p)
{
	static const enum gm_outcome order[] = {GM_MISSING_LIBRARY, GM_SYMBOL_VERSION,
						GM_MIXED_GLIBC};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		for (size_t k = 0; k < p->n_problems; k++)
			if (p->problems[k].kind == order[i]) {
				p->outcome = order[i];
				p->detail = xstrdup(p->problems[k].node ? p->problems[k].node
									: p->problems[k].library);
				return;
			}
	p->outcome = GM_OK;
	p->detail = xstrdup("");
}

int predict_loader(const char *binary, const struct sysroot *run, struct gm_prediction *ret,
		   struct gm_err **err)
{
	struct sim s = {.run = run, .pred = ret};
	memset(ret, 0, sizeof(*ret));
	ret->host_libs = xcalloc(1, sizeof(char *));

	struct object *main_obj = load_object(&s, binary, false, err);
	if (!main_obj) {
		if (!err || !*err)
			gm_err_set(err, GM_EXIT_USAGE, 0, "'%s' is not an ELF file", binary);
		prediction_release(ret);
		return -1;
	}
	s.machine = main_obj->info.machine;
	const char *floor = glibc_floor(&main_obj->info);
	ret->binary_floor = floor ? xstrdup(floor) : NULL;

	if (strcmp(elf_machine_name(s.machine), run->arch) != 0) {
		ret->outcome = GM_EXEC_FAILED;
		ret->detail = xasprintf("%s binary, %s sysroot", elf_machine_name(s.machine), run->arch);
	} else if (!main_obj->info.interp && !strv_len(main_obj->info.needed)) {
		ret->outcome = GM_OK;
		ret->detail = xstrdup("static: the binary carries its own libc");
	} else {
		map_needed(&s, err);
		check_versions(&s);
		conclude(ret);
	}
	for (size_t i = 0; i < s.n; i++) {
		free(s.objs[i].path);
		elf_info_release(&s.objs[i].info);
	}
	free(s.objs);
	return 0;
}

void prediction_release(struct gm_prediction *p)
{
	for (size_t i = 0; i < p->n_problems; i++) {
		free(p->problems[i].object);
		free(p->problems[i].library);
		free(p->problems[i].node);
		strv_free(p->problems[i].symbols);
	}
	free(p->problems);
	free(p->detail);
	free(p->binary_floor);
	strv_free(p->host_libs);
	memset(p, 0, sizeof(*p));
}
