/* plan_cells: subjects × methods × trees × run sysroots, each crossing
 * judged by one function (decide), then filled with what runs. */
#define _GNU_SOURCE
#include "plan/cells.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "verdict/predict.h"

#include <string.h>

enum decision {
	PLAN_RUN,   /* a cell with something to run */
	PLAN_SKIP,  /* a cell, not run here: why */
	PLAN_OMIT,  /* no cell: the pairing means nothing */
};

/* One crossing of a subject with a method and a target. */
struct pairing {
	const struct plan_subject *s;
	const struct method *rt;
	const struct sysroot *run;
	const struct rootfs *tree;   /* container methods only */
};

/* What the machine said about one architecture, asked once per plan. */
struct arch_facts {
	const struct gm_arch *a;
	bool asked_emulator, asked_binfmt;
	char *emulator;
	int binfmt;
	char *binfmt_why;
};

struct planner {
	const struct plan_input *in;
	const struct plan_machine *mach;
	struct arch_facts facts[16]; /* one per row of the arch table (7) */
	size_t n_facts;
};

static struct arch_facts *facts_of(struct planner *pl, const struct gm_arch *a)
{
	for (size_t i = 0; i < pl->n_facts; i++)
		if (pl->facts[i].a == a)
			return &pl->facts[i];
	/* The arch table has fewer rows than facts[]: never full. */
	struct arch_facts *f = &pl->facts[pl->n_facts++];
	memset(f, 0, sizeof(*f));
	f->a = a;
	return f;
}

static const char *emulator_of(struct planner *pl, const struct gm_arch *a)
{
	struct arch_facts *f = facts_of(pl, a);
	if (!f->asked_emulator)
		f->emulator = pl->mach->emulator(a);
	f->asked_emulator = true;
	return f->emulator;
}

static int binfmt_of(struct planner *pl, const struct gm_arch *a, char **why)
{
	struct arch_facts *f = facts_of(pl, a);
	if (!f->asked_binfmt)
		f->binfmt = pl->mach->binfmt_ready(pl->mach->cfg, a, &f->binfmt_why);
	f->asked_binfmt = true;
	*why = f->binfmt ? NULL : xstrdup(f->binfmt_why ? f->binfmt_why : "binfmt_misc");
	return f->binfmt;
}

/* The pairing's architectures disagree (or the method cannot run another
 * machine's file): why, or NULL. */
static char *pairing_fault(const struct pairing *p, const struct gm_arch *host)
{
	const struct gm_arch *a = p->s->arch;
	if (a != host && !(p->rt->caps & (METHOD_EMULATOR | METHOD_BINFMT)))
		return xasprintf("a %s file: method %s runs programs of this %s machine only", a->gnu,
				 p->rt->name, host->gnu);
	if (!method_runs_on_host(p->rt) && strcmp(p->run->arch, a->gnu) != 0)
		return xasprintf("sysroot %s is %s, the file is %s", p->run->name, p->run->arch,
				 a->gnu);
	if (p->tree && strcmp(p->tree->arch, a->gnu) != 0)
		return xasprintf("root filesystem %s is %s, the file is %s", p->tree->name,
				 p->tree->arch, a->gnu);
	return NULL;
}

/* The program that loads a shared object: the command's --host-program,
 * else the one the object was made for, else NULL (load-object). */
static char *const *host_program(const struct plan_input *in, const struct plan_subject *s)
{
	return in->host_program ? in->host_program : s->host_program;
}

/* Another machine's file runs in a tree of its architecture through the
 * kernel (binfmt_misc), elsewhere under qemu-user in front of the method's
 * command; nothing of another machine is ever executed by the host itself. */
static char *foreign_fault(struct planner *pl, const struct pairing *p)
{
	const struct gm_arch *a = p->s->arch, *host = pl->mach->host;
	char *why = NULL;
	if (a == host)
		return NULL;
	if (p->tree) {
		if (!binfmt_of(pl, a, &why))
			return why;
	} else if (!emulator_of(pl, a)) {
		return xasprintf("a %s file on a %s machine: no %s here to run it (Debian package "
				 "qemu-user-static)", a->gnu, host->gnu, a->qemu);
	}
	if (p->s->kind == ELF_FILE_SHARED_OBJECT && host_program(pl->in, p->s))
		return xasprintf("a %s shared object: --host-program runs on this %s machine",
				 a->gnu, host->gnu);
	return NULL;
}

/* What the file is decides which methods take it.  A static executable
 * carries its own libc: methods that swap the glibc do not apply. */
static char *kind_fault(const struct plan_input *in, const struct pairing *p)
{
	const struct method *rt = p->rt;
	const struct probe *pr = p->s->probe;
	if (pr && pr->status != PROBE_BUILT)
		return xasprintf("probe not built: %s", pr->reason);
	switch (p->s->kind) {
	case ELF_FILE_STATIC_EXEC:
		if (method_runs_on_host(rt) || (rt->caps & METHOD_ROOTFS_ONLY))
			return NULL;
		if (pr)
			return xasprintf("static executable: it carries glibc %s; methods that swap "
					 "the glibc do not apply", pr->build->glibc_version);
		return xstrdup(PREDICT_STATIC_SKIP);
	case ELF_FILE_SHARED_OBJECT:
		/* load-object (built against the run sysroot) dlopens it, or the
		 * user's --host-program, which any method on this machine runs. */
		if (method_in_container(rt))
			return xstrdup("shared object: check loads it in a program of this machine, "
				       "and container methods run what is in the tree");
		if (!host_program(in, p->s) && p->s->no_program)
			return xstrdup(p->s->no_program);
		if (method_runs_on_host(rt) && !host_program(in, p->s))
			return xasprintf("shared object: method %s runs programs, and check loads a "
					 "shared object with its own program built against each "
					 "sysroot (methods loader, interp, rpath, env), or with "
					 "--host-program", rt->name);
		return NULL;
	case ELF_FILE_OTHER:
		return xasprintf("a %s cannot be run", elf_file_kind_name(p->s->kind));
	default:
		return NULL;
	}
}

/* The one judgement of a crossing.  A probe's pairing of two
 * architectures is no cell (the plan crosses every selected sysroot); a
 * user named each target, so the same pairing is a cell saying why not. */
static enum decision decide(struct planner *pl, const struct pairing *p, char **why)
{
	const struct plan_subject *s = p->s;
	const struct gm_arch *host = pl->mach->host;
	*why = NULL;
	if (s->probe && (p->rt->caps & METHOD_PROBE_LIBRARY) && !s->probe->kase->library)
		return PLAN_OMIT;
	if (!s->arch || !host) {
		*why = xasprintf("a %s file on a %s machine glibc-matrix does not know",
				 s->arch ? s->arch->gnu : s->machine, host ? host->gnu : "unknown");
		return PLAN_SKIP;
	}
	if ((*why = pairing_fault(p, host))) {
		if (!s->probe)
			return PLAN_SKIP;
		free(*why);
		*why = NULL;
		return PLAN_OMIT;
	}
	if ((*why = foreign_fault(pl, p)) || (*why = kind_fault(pl->in, p)))
		return PLAN_SKIP;
	return PLAN_RUN;
}

/* The case's library built against run (the ldcache method injects it). */
static char *run_library(const struct plan_input *in, const struct gm_case *kase,
			 const struct sysroot *run)
{
	for (size_t i = 0; i < in->n_run_probes; i++) {
		const struct probe *p = &in->run_probes[i];
		if (p->kase == kase && p->status == PROBE_BUILT && strcmp(p->build->name, run->name) == 0)
			return path_join(p->dir, PROBE_LIBRARY);
	}
	return NULL;
}

/* A probe finds its plugin beside itself (patched copies take it along);
 * its library is where the host methods are told to look, after the
 * sysroot's directories; in a tree only the method that injects it puts it,
 * the one built against run. */
static void fill_probe(const struct plan_input *in, const struct probe *pr, struct cell *c)
{
	const struct gm_case *k = pr->kase;
	if (k->plugin)
		strv_push_take(&c->plan.companions, path_join(pr->dir, "plugin.so"));
	if (k->library)
		strv_push(&c->plan.extra_libdirs, pr->dir);
	if (c->plan.method->caps & METHOD_PROBE_LIBRARY) {
		c->plan.run_library = run_library(in, k, c->plan.run);
		if (!c->plan.run_library)
			c->plan.skip_reason = xasprintf("%s did not build against %s", PROBE_LIBRARY,
						   c->plan.run->name);
	}
	for (size_t e = 0; k->runtime[e]; e++)
		strv_push(&c->plan.runtime, k->runtime[e]);
	c->plan.behaviour = k->behaviour;
}

/* The load-object program built against run, or NULL. */
static const struct probe *loader_for(const struct plan_input *in, const struct sysroot *run)
{
	for (size_t i = 0; i < in->n_loaders; i++)
		if (in->loaders[i].build == run)
			return &in->loaders[i];
	return NULL;
}

/* A user's shared object runs inside a program that loads it: the
 * user's --host-program, or load-object built against the run sysroot. */
static void fill_loaded(const struct plan_input *in, const struct plan_subject *s,
			struct cell *c)
{
	char *const *hp = host_program(in, s);
	const struct probe *lo = hp ? NULL : loader_for(in, c->plan.run);
	if (!hp && (!lo || lo->status != PROBE_BUILT)) {
		c->plan.skip_reason = xasprintf("load-object did not build against %s: %s", c->plan.run->name,
					   lo ? lo->reason : "?");
		return;
	}
	c->plan.loads = c->plan.binary;
	c->plan.binary = xstrdup(hp ? hp[0] : lo->binary);
	for (size_t a = 1; hp && hp[a]; a++)
		strv_push(&c->plan.args, hp[a]);
	strv_push(&c->plan.args, c->plan.loads);
}

/* Does the cell run against its sysroot's own libraries only? */
static bool own_libraries(const struct plan_input *in, const struct plan_subject *s,
			  const struct cell *c)
{
	size_t r = (size_t)(c->plan.run - in->runs);
	/* A tree has its own libraries: the container methods' cells are
	 * its. */
	if (!in->target_libs || !in->cover || c->plan.run < in->runs || r >= in->n_runs ||
	    !in->target_libs[r] || host_program(in, s) || method_in_container(c->plan.method))
		return false;
	for (size_t d = 0; in->cover[d]; d++)
		if (str_starts(s->binary, in->cover[d]) && s->binary[strlen(in->cover[d])] == '/')
			return false;
	return true;
}

static void fill_file(const struct plan_input *in, size_t subject, struct cell *c)
{
	bool own = own_libraries(in, &in->subjects[subject], c);
	char *const *extra = in->host_libdirs && !own ? in->host_libdirs[subject] : NULL;
	c->plan.expect_exit = in->expect_exit;
	if (c->plan.skip_reason)
		return;
	if (own) {
		c->plan.cover = strv_dup(in->cover);
		c->plan.cover_with = sysroot_all_libdirs(c->plan.run);
	}
	if (in->subjects[subject].kind == ELF_FILE_SHARED_OBJECT)
		fill_loaded(in, &in->subjects[subject], c);
	else
		for (size_t a = 0; in->args && in->args[a]; a++)
			strv_push(&c->plan.args, in->args[a]);
	char *const *pkg = in->own_libdirs ? in->own_libdirs[subject] : NULL;
	for (size_t d = 0; pkg && pkg[d]; d++)
		strv_push(&c->plan.extra_libdirs, pkg[d]);
	for (size_t d = 0; in->libdirs && in->libdirs[d]; d++)
		if (!strv_contains(c->plan.extra_libdirs, in->libdirs[d]))
			strv_push(&c->plan.extra_libdirs, in->libdirs[d]);
	for (size_t d = 0; extra && extra[d]; d++)
		if (!strv_contains(c->plan.extra_libdirs, extra[d]))
			strv_push(&c->plan.extra_libdirs, extra[d]);
}

void plan_words_release(struct plan_words *w)
{
	strv_free(w->every);
	strv_free(w->program);
	strv_free(w->object);
	strv_free(w->hook);
	memset(w, 0, sizeof(*w));
}

/* The options that shaped this cell: how its subject runs (a program's
 * arguments, a shared object's host program), those of every cell, the
 * hook. */
static char **cell_words(const struct plan_words *w, const struct plan_subject *s,
			 const struct method *rt)
{
	char **v = xcalloc(1, sizeof(char *));
	char *const *parts[] = {
		!w || s->probe ? NULL : s->kind == ELF_FILE_SHARED_OBJECT ? w->object : w->program,
		w ? w->every : NULL,
		w && (rt->caps & METHOD_HOOK) ? w->hook : NULL,
	};
	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		for (size_t i = 0; parts[k] && parts[k][i]; i++)
			strv_push(&v, parts[k][i]);
	return v;
}

static void plan_pairing(struct planner *pl, size_t subject, const struct pairing *p,
			 struct matrix *m)
{
	char *why;
	enum decision d = decide(pl, p, &why);
	if (d == PLAN_OMIT)
		return;
	const struct plan_subject *s = p->s;
	struct cell *c = matrix_add(m, s->name, s->binary, s->probe ? s->probe->build : NULL,
				    p->run, p->rt);
	c->plan.rootfs = p->tree;
	c->plan.probe = s->probe != NULL;
	c->plan.static_binary = s->kind == ELF_FILE_STATIC_EXEC;
	c->plan.skip_reason = why;
	c->plan.options = cell_words(pl->in->words, s, p->rt);
	if (d == PLAN_RUN && s->arch != pl->mach->host && !p->tree)
		c->plan.emulator = xstrdup(emulator_of(pl, s->arch));
	if (s->probe && d == PLAN_RUN)
		fill_probe(pl->in, s->probe, c);
	else if (!s->probe)
		fill_file(pl->in, subject, c);
}

/* Each method's targets: the host, each tree's own glibc, or each run
 * sysroot (in each tree for the other container methods). */
static void plan_method(struct planner *pl, size_t subject, const struct method *rt, struct matrix *m)
{
	const struct plan_input *in = pl->in;
	bool own = rt->caps & METHOD_ROOTFS_ONLY, in_tree = method_in_container(rt);
	size_t n_trees = in_tree ? in->n_trees : 1;
	size_t n = method_runs_on_host(rt) || own ? 1 : in->n_runs;
	for (size_t q = 0; q < n_trees * n; q++) {
		size_t tree = q / n;
		struct pairing p = {.s = &in->subjects[subject], .rt = rt,
				    .run = method_runs_on_host(rt) ? in->host
					   : own ? &in->tree_glibc[tree] : &in->runs[q % n],
				    .tree = in_tree ? &in->trees[tree] : NULL};
		plan_pairing(pl, subject, &p, m);
	}
}

/* The image's own programs of tree t after rt against run r (with lib,
 * the library an ldcache hook registers): cells beside the subjects'
 * (the same container: the same mounts, hook and environment). */
static void plan_image_in(struct planner *pl, const struct method *rt, size_t t, size_t r,
			  const char *lib, struct matrix *m)
{
	const struct plan_input *in = pl->in;
	/* A tree's programs meet the run sysroots of its machine only: the
	 * others pair nothing (as a probe of another machine). */
	if (strcmp(in->runs[r].arch, in->trees[t].arch) != 0)
		return;
	for (size_t k = 0; k < in->tree_programs[t].n; k++) {
		const struct own_program *o = &in->tree_programs[t].v[k];
		/* Static or not, it runs as the image has it: no
		 * method swaps its glibc. */
		struct plan_subject s = {.name = o->name, .binary = o->host,
					 .arch = o->arch, .kind = ELF_FILE_DYNAMIC_EXEC,
					 .machine = in->trees[t].arch};
		struct pairing p = {.s = &s, .rt = rt, .run = &in->runs[r],
				    .tree = &in->trees[t]};
		char *why;
		if (decide(pl, &p, &why) == PLAN_OMIT)
			continue;
		struct cell *c = matrix_add(m, s.name, s.binary, NULL, p.run, rt);
		c->plan.rootfs = p.tree;
		c->plan.skip_reason = why;
		c->plan.image_program = xstrdup(o->inside);
		c->plan.by_prediction = in->image_by_prediction;
		c->plan.options = xcalloc(1, sizeof(char *));
		c->plan.run_library = lib ? xstrdup(lib) : NULL;
		for (size_t a = 0; o->args[a]; a++)
			strv_push(&c->plan.args, o->args[a]);
	}
}

/* The image's own programs after a method that checks the image: once
 * per tree and run sysroot, and for a method that injects a probe's
 * library (ldcache) once per such library built against run. */
static void plan_image(struct planner *pl, const struct method *rt, struct matrix *m)
{
	const struct plan_input *in = pl->in;
	for (size_t t = 0; t < in->n_trees; t++)
		for (size_t r = 0; r < in->n_runs; r++) {
			if (!(rt->caps & METHOD_PROBE_LIBRARY)) {
				plan_image_in(pl, rt, t, r, NULL, m);
				continue;
			}
			for (size_t i = 0; i < in->n_run_probes; i++) {
				const struct probe *p = &in->run_probes[i];
				if (!p->kase->library || p->status != PROBE_BUILT ||
				    strcmp(p->build->name, in->runs[r].name) != 0)
					continue;
				cleanup_free char *lib = path_join(p->dir, PROBE_LIBRARY);
				plan_image_in(pl, rt, t, r, lib, m);
			}
		}
}

void plan_cells(const struct plan_input *in, const struct plan_machine *mach, struct matrix *m)
{
	struct planner pl = {.in = in, .mach = mach};
	for (size_t s = 0; s < in->n_subjects; s++)
		for (size_t k = 0; k < in->n_methods; k++)
			plan_method(&pl, s, in->methods[k], m);
	for (size_t k = 0; in->tree_programs && k < in->n_methods; k++)
		if (in->methods[k]->caps & METHOD_IMAGE_CHECK)
			plan_image(&pl, in->methods[k], m);
	for (size_t i = 0; i < pl.n_facts; i++) {
		free(pl.facts[i].emulator);
		free(pl.facts[i].binfmt_why);
	}
}
