#define _GNU_SOURCE
#include "verdict/predict.h"
#include "base/cleanup.h"
#include "elf/elfcache.h"
#include "elf/glibcbuild.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <elf.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

/* One object of the simulated process. */
struct object {
	char *path;
	char *name;       /* soname, or basename */
	const struct elf_info *info;  /* shared, from elfcache */
};

struct sim {
	const struct predict_env *env;
	struct object *objs;
	size_t n;
	int machine, elfclass;
	char **own_dirs;  /* the main object's own search path, expanded once */
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

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* The loaded object known to the loader under name (soname or file name). */
static struct object *by_name(struct sim *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->objs[i].name, name) == 0 || strcmp(base_name(s->objs[i].path), name) == 0)
			return &s->objs[i];
	return NULL;
}

static struct object *by_path(struct sim *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->objs[i].path, path) == 0)
			return &s->objs[i];
	return NULL;
}

/* Adds path to the process (once); -1 + err if it cannot be read. */
static struct object *load_object(struct sim *s, const char *path, struct gm_err **err)
{
	struct object *o = by_path(s, path);
	const struct elf_info *info;
	if (o)
		return o;
	int r = elfcache_get(path, &info, err);
	if (r < 0)
		return NULL;
	if (r == 0) {
		gm_err_set(err, GM_EXIT_USAGE, 0, "'%s' is not an ELF file", path);
		return NULL;
	}
	s->objs = xrealloc(s->objs, (s->n + 1) * sizeof(*s->objs));
	o = &s->objs[s->n++];
	o->path = xstrdup(path);
	o->name = xstrdup(info->soname ? info->soname : base_name(path));
	o->info = info;
	return o;
}

/* The first dir/name that is a library of the process's machine and class:
 * the loader skips others and keeps looking. */
static char *search_dirs(struct sim *s, char *const *dirs, const char *name, const char *object);

/* dir covered (predict_env.covered): the covering directories searched
 * for name, *found the result; false when dir is not covered. */
static bool search_covered(struct sim *s, const char *dir, const char *name, char **found)
{
	if (!s->env->covered || !s->env->covered[0])
		return false;
	cleanup_free char *real = realpath(dir, NULL);
	if (!real || !strv_contains(s->env->covered, real))
		return false;
	*found = search_dirs(s, s->env->covered_by, name, NULL);
	return true;
}

static char *search_dirs(struct sim *s, char *const *dirs, const char *name, const char *object)
{
	for (size_t i = 0; dirs && dirs[i]; i++) {
		cleanup_free char *dir = object ? elf_expand_origin(dirs[i], object) : xstrdup(dirs[i]);
		char *covered;
		if (search_covered(s, dir, name, &covered)) {
			if (covered)
				return covered;
			continue;
		}
		char *p = path_join(dir, name);
		const struct elf_info *info;
		if (path_is_file(p) && elfcache_get(p, &info, NULL) == 1 &&
		    info->machine == s->machine && info->elfclass == s->elfclass)
			return p;
		free(p);
	}
	return NULL;
}

static char **split_path(const char *list)
{
	char **v = xcalloc(1, sizeof(char *));
	cleanup_free char *copy = xstrdup(list ? list : "");
	char *save = NULL;
	for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save))
		strv_push(&v, e);
	return v;
}

/* glibc's order: DT_RPATH of the object (when it has no DT_RUNPATH) and of
 * the executable, the library path, DT_RUNPATH, then the system dirs.
 * *own: found through an object's own RPATH or RUNPATH. */
static char *find_library(struct sim *s, size_t who, const char *name, bool *own)
{
	const struct object *o = &s->objs[who], *main_obj = &s->objs[0];
	char *p = NULL;
	*own = false;
	if (strchr(name, '/'))
		return path_is_file(name) ? xstrdup(name) : NULL;
	bool own_runpath = who == 0 && s->env->main_runpath;
	const char *runpath = own_runpath ? NULL : o->info->runpath;
	if (!runpath && !own_runpath && o->info->rpath) {
		cleanup_strv char **v = split_path(o->info->rpath);
		p = search_dirs(s, v, name, o->path);
		*own = p != NULL;
	}
	if (!p && !s->env->main_runpath && !main_obj->info->runpath && main_obj->info->rpath &&
	    who != 0) {
		cleanup_strv char **v = split_path(main_obj->info->rpath);
		p = search_dirs(s, v, name, main_obj->path);
		*own = p != NULL;
	}
	if (!p)
		p = search_dirs(s, s->env->library_path, name, o->path);
	if (!p && own_runpath)
		p = search_dirs(s, s->env->main_runpath, name, o->path);
	if (!p && runpath) {
		cleanup_strv char **v = split_path(runpath);
		p = search_dirs(s, v, name, o->path);
		*own = p != NULL;
	}
	if (!p)
		p = search_dirs(s, s->env->system_dirs, name, o->path);
	return p;
}

/* path lies in a directory of the main object's own search path (a method
 * that puts those directories in the library path still finds bundled
 * libraries there). */
static bool in_own_search(struct sim *s, const char *path)
{
	if (!s->own_dirs)
		s->own_dirs = elf_own_search_path(s->objs[0].info, s->objs[0].path);
	return path_directly_in(path, s->own_dirs);
}

/* Maps DT_NEEDED breadth-first from the binary, as the loader does. */
static void map_needed(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; s->objs[i].info->needed[k]; k++) {
			const char *name = s->objs[i].info->needed[k];
			if (by_name(s, name))
				continue;
			bool own;
			char *path = find_library(s, i, name, &own);
			if (!path) {
				add_problem(s, GM_MISSING_LIBRARY, s->objs[i].path, name, NULL, NULL);
				continue;
			}
			struct gm_err *lerr = NULL;
			if (!by_path(s, path) && load_object(s, path, &lerr)) {
				const char *from = path_directly_in(path, s->env->sysroot_dirs)
							   ? "sysroot"
						   : own || in_own_search(s, path) ? "bundle"
										   : "host";
				strv_push_take(&s->pred->libraries, xasprintf("%s %s", from, path));
				/* libraries that are not glibc's, found in the host's
				 * directories: neither the sysroot's nor bundled */
				if (!glibc_is_glibc_lib(name) && strcmp(from, "host") == 0)
					strv_push(&s->pred->host_libs, path);
			}
			gm_err_free(&lerr);
			free(path);
		}
	}
}

/* Is symbol defined at node by some object in the process? */
static bool resolves(struct sim *s, const char *node, const char *symbol)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct elf_verdef *d = elf_find_def(s->objs[i].info, node);
		if (d && elf_def_has_symbol(d, symbol))
			return true;
	}
	return false;
}

static void check_versions(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct object *o = &s->objs[i];
		for (size_t k = 0; k < o->info->n_needs; k++) {
			const struct elf_verneed *need = &o->info->needs[k];
			struct object *lib = by_name(s, need->file);
			if (!lib)
				continue; /* missing: reported while mapping */
			for (size_t m = 0; m < need->n_nodes; m++) {
				const struct elf_vernode *node = &need->nodes[m];
				if (node->weak)
					continue; /* the loader only warns about weak nodes */
				if (!elf_find_def(lib->info, node->name)) {
					char **syms = NULL;
					for (size_t q = 0; node->symbols[q]; q++)
						strv_push(&syms, node->symbols[q]);
					/* One glibc's library needing a node of another
					 * glibc's (a libc injected beside an older
					 * loader): two builds mixed, as classify says. */
					bool mixed = o->info->soname && glibc_is_glibc_lib(o->info->soname) &&
						     glibc_is_glibc_lib(need->file);
					add_problem(s, mixed ? GM_MIXED_GLIBC : GM_SYMBOL_VERSION, o->path,
						    need->file, node->name, syms);
					continue;
				}
				char **missing = NULL;
				for (size_t q = 0; node->symbols[q]; q++)
					if (!resolves(s, node->name, node->symbols[q]))
						strv_push(&missing, node->symbols[q]);
				/* A glibc node without its symbol is two glibc builds
				 * (or a backport) mixed; any other library's is that
				 * library older than the program expects. */
				if (missing)
					add_problem(s, glibc_is_glibc_lib(need->file) ? GM_MIXED_GLIBC
										       : GM_MISSING_SYMBOL,
						    o->path, need->file, node->name, missing);
			}
		}
	}
}

/* Symbols without a version (a library built without version scripts, as
 * most outside glibc are): with LD_BIND_NOW the loader binds every one at
 * start-up and fails on the first it finds nowhere in the process ("symbol
 * lookup error: ...: undefined symbol: jq_set_stderr_cb").  Weak ones may
 * stay unresolved; elfinfo leaves them out. */
static void check_unversioned(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct object *o = &s->objs[i];
		char **missing = NULL;
		/* A shared object examined on its own expects the program that
		 * loads it to define some of its symbols (napi_*, Py*). */
		if (i == 0 && elf_file_kind(o->info) == ELF_FILE_SHARED_OBJECT)
			continue;
		for (size_t k = 0; o->info->unversioned_undef[k]; k++) {
			const char *sym = o->info->unversioned_undef[k];
			bool found = false;
			for (size_t m = 0; m < s->n && !found; m++)
				found = elf_exports(s->objs[m].info, sym);
			if (!found)
				strv_push(&missing, sym);
		}
		if (missing)
			add_problem(s, GM_MISSING_SYMBOL, o->path, "(any object in the process)", NULL,
				    missing);
	}
}

/* ld.so and libc.so.6 are one program split in two: since 2.32 the loader
 * calls libc's __libc_early_init (GLIBC_PRIVATE) after relocation and
 * asserts it exists ("Inconsistency detected by ld.so:
 * dl-call-libc-early-init.c"), a contract no version node expresses. */
static void check_early_init(struct sim *s)
{
	if (!s->env->interp_glibc || version_cmp(s->env->interp_glibc, "2.32") < 0)
		return;
	struct object *libc = by_name(s, "libc.so.6");
	if (!libc)
		return;
	const struct elf_verdef *d = elf_find_def(libc->info, "GLIBC_PRIVATE");
	if (d && elf_def_has_symbol(d, "__libc_early_init"))
		return;
	char **syms = NULL;
	strv_push(&syms, "__libc_early_init");
	add_problem(s, GM_MIXED_GLIBC, s->env->interp, "libc.so.6", "GLIBC_PRIVATE", syms);
}

/* Two builds of one version pass every version check above, yet share
 * private data whose layout differs (glibcbuild.h): the process is mixed. */
static void check_same_build(struct sim *s)
{
	struct object *libc = by_name(s, "libc.so.6");
	if (!libc || glibc_pairing(s->env->interp, libc->path) != GLIBC_PAIR_MIXED)
		return;
	cleanup_free char *libc_id = glibc_build_id_short(libc->path);
	add_problem(s, GM_MIXED_GLIBC, s->env->interp, "libc.so.6", NULL, NULL);
	struct gm_problem *p = &s->pred->problems[s->pred->n_problems - 1];
	free(p->library);
	p->library = xasprintf("libc.so.6 of another glibc build than ld.so (build id %s...)",
			       libc_id ? libc_id : "?");
}

static bool defines_symbol(const struct object *o, const char *symbol)
{
	for (size_t i = 0; i < o->info->n_defs; i++)
		if (elf_def_has_symbol(&o->info->defs[i], symbol))
			return true;
	return false;
}

/* Modules glibc itself dlopens by name at run time (NSS backends): libc's
 * dlopen searches the library path, then the system directories of the
 * loader; never the executable's RUNPATH.  A module found there that lacks
 * the symbol makes the lookup fail at run time, and the program with it. */
/* iconv_open loads the module from the running libc's gconv directory,
 * compiled in (a distribution's /usr/lib/<triplet>/gconv, /usr/lib64/gconv
 * for --prefix=/usr): where a glibc was injected into another layout it
 * may not exist, and iconv_open fails (EINVAL), the program with it. */
static void check_gconv(struct sim *s, const struct object *libc, const char *module)
{
	if (!s->env->gconv_dirs)
		return;
	for (size_t i = 0; s->env->gconv_dirs[i]; i++) {
		cleanup_free char *f = path_join(s->env->gconv_dirs[i], module);
		if (path_is_file(f))
			return;
	}
	cleanup_free char *what = xasprintf("gconv module %s not in the running libc's gconv "
					    "directory", module);
	add_problem(s, GM_FAILED, libc->path, what, NULL, NULL);
}

static void check_runtime(struct sim *s)
{
	struct object *libc = by_name(s, "libc.so.6");
	if (!libc)
		return;
	for (size_t i = 0; s->env->runtime && s->env->runtime[i]; i++) {
		cleanup_free char *lib = xstrdup(s->env->runtime[i]);
		char *symbol = strchr(lib, ':');
		*symbol++ = '\0';
		if (strcmp(lib, "gconv") == 0) {
			check_gconv(s, libc, symbol);
			continue;
		}
		if (defines_symbol(libc, symbol))
			continue; /* built into this libc */
		char *path = search_dirs(s, s->env->library_path, lib, libc->path);
		if (!path)
			path = search_dirs(s, s->env->system_dirs, lib, libc->path);
		if (!path) {
			add_problem(s, GM_FAILED, libc->path, lib, NULL, NULL);
			continue;
		}
		struct gm_err *lerr = NULL;
		struct object *mod = load_object(s, path, &lerr);
		gm_err_free(&lerr);
		if (!mod || !defines_symbol(mod, symbol)) {
			char **syms = NULL;
			strv_push(&syms, symbol);
			add_problem(s, GM_FAILED, path, lib, NULL, syms);
		}
		free(path);
	}
}

bool path_directly_in(const char *path, char *const *dirs)
{
	for (size_t i = 0; dirs && dirs[i]; i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0 && path[n] == '/' && !strchr(path + n + 1, '/'))
			return true;
	}
	return false;
}

/* A sysroot without libc.so.6 does not run the program on its glibc: the
 * loader goes on to its built-in directories, the host's, and the process
 * runs on the host's libc (a probe reports it: wrong-libc), or on none. */
static void check_libc_source(struct sim *s)
{
	const struct object *libc = by_name(s, "libc.so.6");
	if (!libc || (!strv_len(s->env->library_path) && !strv_len(s->env->main_runpath)) ||
	    path_directly_in(libc->path, s->env->library_path) ||
	    path_directly_in(libc->path, s->env->main_runpath))
		return;
	cleanup_free char *what = xasprintf("libc.so.6 from %s, outside the sysroot", libc->path);
	add_problem(s, GM_WRONG_LIBC, s->objs[0].path, what, NULL, NULL);
}

/* The class the loader would report: it fails while mapping before it
 * checks versions, and checks versions before it binds symbols; a process
 * that does load on the wrong libc is found last, by the probe's report. */
static void conclude(struct gm_prediction *p)
{
	static const enum gm_outcome order[] = {GM_MISSING_LIBRARY, GM_SYMBOL_VERSION,
						GM_MIXED_GLIBC, GM_MISSING_SYMBOL, GM_FAILED,
						GM_WRONG_LIBC};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		for (size_t k = 0; k < p->n_problems; k++)
			if (p->problems[k].kind == order[i]) {
				p->outcome = order[i];
				const struct gm_problem *pb = &p->problems[k];
				/* A missing symbol is named by the symbol, as the loader does. */
				p->detail = xstrdup(pb->kind == GM_MISSING_SYMBOL && pb->symbols[0]
							    ? pb->symbols[0]
						    : pb->node ? pb->node : pb->library);
				return;
			}
	p->outcome = GM_OK;
	p->detail = xstrdup("");
}

/* Before glibc 2.20 (BZ #16381) an explicit loader maps its program as a
 * library, so copy relocations look the symbol up in the program first
 * and copy its own zero-filled storage: a PIE whose data comes from libc
 * (stdout, environ) runs on zeros.  Today's compilers give PIEs copy
 * relocations; those of 2.17's day built no PIE by default. */
static void check_explicit_pie(const struct sim *s, struct gm_prediction *p)
{
	const struct elf_info *main_info = s->objs[0].info; /* the program: mapped first */
	if (p->outcome != GM_OK || !s->env->explicit_loader || !s->env->interp_glibc ||
	    version_cmp(s->env->interp_glibc, "2.20") >= 0 || main_info->type != ET_DYN ||
	    !main_info->copy_relocs)
		return;
	p->outcome = GM_CRASH;
	free(p->detail);
	p->detail = xasprintf("glibc %s's ld.so run explicitly maps a PIE as a library: its copy "
			      "relocations copy the program's own zeros (fixed in 2.20, BZ #16381)",
			      s->env->interp_glibc);
}

static void sim_release(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->objs[i].path);
		free(s->objs[i].name);
	}
	free(s->objs);
	strv_free(s->own_dirs);
}

int predict_process(const char *binary, const struct predict_env *env,
		    struct gm_prediction *ret, struct gm_err **err)
{
	struct sim s = {.env = env, .pred = ret};
	memset(ret, 0, sizeof(*ret));
	ret->host_libs = xcalloc(1, sizeof(char *));
	ret->libraries = xcalloc(1, sizeof(char *));

	struct object *main_obj = load_object(&s, binary, err);
	if (!main_obj) {
		prediction_release(ret);
		return -1;
	}
	s.machine = main_obj->info->machine;
	s.elfclass = main_obj->info->elfclass;
	const char *floor = glibc_floor(main_obj->info);
	ret->binary_floor = floor ? xstrdup(floor) : NULL;

	if (!main_obj->info->interp && !strv_len(main_obj->info->needed)) {
		/* static and static-pie alike: an explicit loader runs both as
		 * its main program, and 2.31's segfaults on both. */
		ret->outcome = env->swaps_glibc ? GM_SKIPPED : GM_OK;
		ret->detail = xstrdup(env->swaps_glibc ? PREDICT_STATIC_SKIP
						       : "static: the binary carries its own libc");
	} else if (!env->interp || !path_exists(env->interp)) {
		ret->outcome = GM_EXEC_FAILED;
		ret->detail = xasprintf("no interpreter '%s'", env->interp ? env->interp : "(none)");
	} else {
		struct gm_err *lerr = NULL;
		struct object *ld = load_object(&s, env->interp, &lerr);
		if (!ld || ld->info->machine != s.machine) {
			ret->outcome = GM_EXEC_FAILED;
			ret->detail = xasprintf("interpreter '%s' cannot run a %s binary", env->interp,
						elf_machine_name(s.machine));
			gm_err_free(&lerr);
		} else {
			map_needed(&s);
			for (size_t i = 0; env->dlopened && env->dlopened[i]; i++)
				if (path_is_file(env->dlopened[i]) && load_object(&s, env->dlopened[i], &lerr))
					map_needed(&s);
			gm_err_free(&lerr);
			check_versions(&s);
			check_unversioned(&s);
			check_early_init(&s);
			check_same_build(&s);
			check_runtime(&s);
			check_libc_source(&s);
			conclude(ret);
			check_explicit_pie(&s, ret);
		}
	}
	sim_release(&s);
	return 0;
}

/* whole: the sysroot stands for the whole system, as predict_target says. */
static int predict_run(const char *binary, const struct sysroot *run, bool whole,
		       char *const *extra, struct gm_prediction *ret, struct gm_err **err)
{
	cleanup_strv char **all = sysroot_all_libdirs(run);
	cleanup_strv char **sysdirs = whole ? strv_dup(all) : sysroot_system_dirs(run);
	cleanup_strv char **covered = whole ? host_multiarch_dirs(arch_by_gnu(run->arch)) : NULL;
	/* The host's glibc is the host's loader searching as it does for any
	 * program: the binary's own RUNPATH first, then the host's
	 * directories; no library path outranks what the binary asks for.
	 * So does a whole system's, where a package's own directories are
	 * among the system's, after the sysroot's (it is installed there). */
	bool host = run->origin == ORIGIN_HOST;
	cleanup_strv char **path = host || whole ? NULL : strv_dup(run->libdirs);
	for (size_t i = 0; !host && extra && extra[i]; i++)
		if (!strv_contains(whole ? sysdirs : path, extra[i]))
			strv_push(whole ? &sysdirs : &path, extra[i]);
	struct predict_env env = {.interp = run->loader,
				  .library_path = path,
				  .system_dirs = sysdirs, .interp_glibc = run->glibc_version,
				  .sysroot_dirs = host ? NULL : whole ? all : run->libdirs,
				  .covered = covered, .covered_by = all, .swaps_glibc = true,
				  .explicit_loader = true};
	struct elf_info info;
	int r = elf_info_read(binary, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_usage(err, "'%s' is not an ELF file", binary);
	const char *machine = elf_machine_name(info.machine);
	bool foreign = strcmp(machine, run->arch) != 0;
	elf_info_release(&info);
	if (foreign) {
		memset(ret, 0, sizeof(*ret));
		ret->host_libs = xcalloc(1, sizeof(char *));
		ret->libraries = xcalloc(1, sizeof(char *));
		ret->outcome = GM_EXEC_FAILED;
		ret->detail = xasprintf("%s binary, %s sysroot", machine, run->arch);
		return 0;
	}
	return predict_process(binary, &env, ret, err);
}

int predict_loader(const char *binary, const struct sysroot *run, struct gm_prediction *ret,
		   struct gm_err **err)
{
	return predict_run(binary, run, false, NULL, ret, err);
}

int predict_target(const char *binary, const struct sysroot *run, struct gm_prediction *ret,
		   struct gm_err **err)
{
	return predict_run(binary, run, true, NULL, ret, err);
}

int predict_dirs(const char *binary, const struct sysroot *run, bool whole, char *const *extra,
		 struct gm_prediction *ret, struct gm_err **err)
{
	return predict_run(binary, run, whole, extra, ret, err);
}

void problems_free(struct gm_problem *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].object);
		free(v[i].library);
		free(v[i].node);
		strv_free(v[i].symbols);
	}
	free(v);
}

void prediction_release(struct gm_prediction *p)
{
	problems_free(p->problems, p->n_problems);
	free(p->detail);
	free(p->binary_floor);
	strv_free(p->host_libs);
	strv_free(p->libraries);
	memset(p, 0, sizeof(*p));
}
