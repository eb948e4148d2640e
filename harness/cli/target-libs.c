#define _GNU_SOURCE
#include "cli/target-libs.h"
#include "acquire/debimport.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "elf/elfcache.h"
#include "elf/glibcver.h"
#include "verdict/predict.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A few rounds: a library taken from the suite may need others the
 * suite's Depends did not name (its Depends are followed already). */
#define ROUNDS 4

/* Does the file stand on its own glibc-wise (static) or for another
 * machine (its libraries are the emulator's business)? */
static bool asks(const struct plan_subject *s, const struct gm_arch *a)
{
	return !s->probe && s->arch == a && s->kind != ELF_FILE_STATIC_EXEC && !s->host_program;
}

/* Does the file bring name itself (its own RUNPATH, $ORIGIN)?  Then the
 * cells take that copy, not the suite's (methods/common.c).  A RUNPATH
 * naming the system's own directory (coreutils' expr: /usr/lib/<triplet>)
 * brings nothing: there the suite's libraries are. */
static bool bundled(const char *binary, const char *name, char *const *system)
{
	const struct elf_info *in;
	if (elfcache_get(binary, &in, NULL) != 1)
		return false;
	cleanup_strv char **own = elf_own_search_path(in, binary);
	for (size_t i = 0; own[i]; i++) {
		cleanup_free char *real = realpath(own[i], NULL);
		if (real && strv_contains(system, real))
			continue;
		cleanup_free char *p = path_join(own[i], name);
		if (path_exists(p))
			return true;
	}
	return false;
}

/* The libraries beyond glibc the subjects need that run lacks, judged as
 * on a system of its suite (predict_target: no host directory), onto
 * *lacking, and those it holds onto *held. */
static void needed(const struct plan_subject *subjects, size_t n, const struct sysroot *run,
		   const struct gm_arch *a, char ***lacking, char ***held)
{
	cleanup_strv char **system = host_multiarch_dirs(a);
	for (size_t i = 0; i < n; i++) {
		struct gm_prediction p;
		if (!asks(&subjects[i], a) || predict_target(subjects[i].binary, run, &p, NULL) < 0)
			continue;
		for (size_t k = 0; p.host_libs[k]; k++) {
			const char *base = strrchr(p.host_libs[k], '/');
			base = base ? base + 1 : p.host_libs[k];
			if (!strv_contains(*lacking, base))
				strv_push(lacking, base);
		}
		for (size_t k = 0; k < p.n_problems; k++)
			if (p.problems[k].kind == GM_MISSING_LIBRARY &&
			    !strv_contains(*lacking, p.problems[k].library))
				strv_push(lacking, p.problems[k].library);
		for (size_t k = 0; p.libraries[k]; k++) {
			const char *base = strrchr(p.libraries[k], '/');
			base = base ? base + 1 : p.libraries[k];
			if (str_starts(p.libraries[k], "sysroot ") && !glibc_is_glibc_lib(base) &&
			    !bundled(subjects[i].binary, base, system) && !strv_contains(*held, base))
				strv_push(held, base);
		}
		prediction_release(&p);
	}
}

static void note_run(const struct gm_ctx *ctx, const struct sysroot *run)
{
	for (size_t i = 0; run->shipped && run->shipped[i]; i++) {
		cleanup_strv char **w = strv_split(run->shipped[i], " ");
		if (strv_len(w) == 3)
			gm_note(ctx, "against %s: %s from %s's %s %s", run->name, w[0], run->suite, w[1],
				w[2]);
	}
	for (size_t i = 0; run->unshipped && run->unshipped[i]; i++)
		gm_note(ctx, "against %s: no package of %s ships %s: missing there "
			     "(--host-libs lends this machine's)",
			run->name, run->suite, run->unshipped[i]);
}

/* Imports what run's cells need from its suite, round by round, then
 * names the package of each library they take from it. */
static int resolve_run(const struct gm_ctx *ctx, const struct plan_subject *subjects, size_t n,
		       struct sysroot *run, const struct gm_arch *a, struct gm_err **err)
{
	cleanup_strv char **asked = xcalloc(1, sizeof(char *));
	for (int round = 0; round < ROUNDS; round++) {
		cleanup_strv char **want = xcalloc(1, sizeof(char *));
		cleanup_strv char **held = xcalloc(1, sizeof(char *));
		needed(subjects, n, run, a, &want, &held);
		bool more = false;
		for (size_t i = 0; want[i]; i++)
			if (!strv_contains(asked, want[i])) {
				strv_push(&asked, want[i]);
				more = true;
			}
		if (!more)
			break;
		struct debimport_opts o = {.suite = run->suite, .arch = a->deb, .name = run->name,
					   .libraries = asked, .ctx = ctx, .cfg = ctx->cfg};
		struct sysroot s;
		enum debimport_state state;
		if (debimport_run(&o, &s, &state, err) < 0)
			return gm_err_wrap(err, "the libraries of %s for --against %s", run->suite,
					   run->name);
		sysroot_release(run);
		*run = s;
	}
	cleanup_strv char **lacking = xcalloc(1, sizeof(char *));
	cleanup_strv char **held = xcalloc(1, sizeof(char *));
	needed(subjects, n, run, a, &lacking, &held);
	run->shipped = debimport_shipped(ctx->cfg, run, held);
	run->unshipped = strv_dup(lacking);
	note_run(ctx, run);
	return 0;
}

int target_libs_run(const struct gm_ctx *ctx, const struct plan_subject *subjects, size_t n,
		    struct sysroot *run, struct gm_err **err)
{
	const struct gm_arch *a = arch_host();
	if (!a || run->origin != ORIGIN_DEBIAN || !run->arch || strcmp(run->arch, a->gnu) != 0)
		return 0;
	return resolve_run(ctx, subjects, n, run, a, err) < 0 ? -1 : 1;
}

int target_libs_file(const struct gm_ctx *ctx, const char *binary, struct sysroot *runs,
		     size_t n, bool *own, struct gm_err **err)
{
	struct elf_info info;
	if (elf_info_read(binary, &info, err) != 1)
		return gm_usage(err, "explain: '%s' is not an ELF file", binary);
	cleanup_free char *abs = path_real(binary, err);
	int r = abs ? 0 : -1;
	struct plan_subject subj;
	if (abs)
		plan_subject_file(binary, abs, &info, &subj);
	for (size_t i = 0; i < n && r >= 0; i++)
		own[i] = (r = target_libs_run(ctx, &subj, 1, &runs[i], err)) == 1;
	elf_info_release(&info);
	return r < 0 ? -1 : 0;
}

int target_libs_resolve(const struct gm_ctx *ctx, const struct plan_subject *subjects,
			size_t n_subjects, struct sysroot *runs, size_t n_runs,
			struct target_libs *ret, struct gm_err **err)
{
	const struct gm_arch *a = arch_host();
	bool root = geteuid() == 0, told = false;
	ret->own = xcalloc(n_runs ? n_runs : 1, sizeof(bool));
	ret->cover = a ? host_multiarch_dirs(a) : xcalloc(1, sizeof(char *));
	for (size_t i = 0; a && i < n_runs; i++) {
		int r = target_libs_run(ctx, subjects, n_subjects, &runs[i], err);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		ret->own[i] = root;
		if (!root && !told) {
			told = true;
			gm_note(ctx, "not root: the host's library directories stay visible to the "
				     "sysroots' loaders (covering them needs a mount namespace); a "
				     "library no package ships is taken from this machine");
		}
	}
	return 0;
}

void target_libs_release(struct target_libs *t)
{
	free(t->own);
	strv_free(t->cover);
	memset(t, 0, sizeof(*t));
}
