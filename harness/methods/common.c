#define _GNU_SOURCE
#include "methods/common.h"
#include "base/cleanup.h"
#include "base/arch.h"
#include "elf/elfcache.h"
#include "elf/glibcbuild.h"
#include "elf/elfinfo.h"
#include "elf/elfpatch.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <gnu/libc-version.h>
#include <stdlib.h>
#include <string.h>

void method_cmd_release(struct method_cmd *c)
{
	strv_free(c->argv);
	strv_free(c->env);
	strv_free(c->mount_src);
	strv_free(c->mount_dst);
	strv_free(c->hook_argv);
	strv_free(c->hook_env);
	strv_free(c->stage_src);
	strv_free(c->stage_dst);
	strv_free(c->expect_dirs);
	free(c->expect_ld);
	free(c->expect_libc);
	free(c->refusal);
	memset(c, 0, sizeof(*c));
}

/* The binary's own search path (own_search), unless already in v.  With
 * the target's libraries only, not a directory the sysroot's cover (a
 * RUNPATH of /usr/lib/<triplet>): the sysroot's own come there. */
static void push_own(char ***v, const struct method_ctx *rc)
{
	const struct elf_info *in;
	if (!rc->own_search || elfcache_get(rc->binary, &in, NULL) != 1)
		return;
	cleanup_strv char **own = elf_own_search_path(in, rc->binary);
	cleanup_strv char **covered = rc->target_libs
					      ? host_multiarch_dirs(arch_by_gnu(rc->run->arch))
					      : xcalloc(1, sizeof(char *));
	for (size_t i = 0; own[i]; i++) {
		cleanup_free char *real = covered[0] ? realpath(own[i], NULL) : NULL;
		if (!strv_contains(*v, own[i]) && !(real && strv_contains(covered, real)))
			strv_push(v, own[i]);
	}
}

/* The run sysroot's library directories, the binary's own search path
 * (own_search), then the extra ones.  With the target's libraries only
 * (target_libs) the own search path comes first: there the sysroot holds
 * a suite's libraries beyond glibc too, and on a system of that suite a
 * bundled library ($ORIGIN/../lib) wins over the system's copy, as
 * RUNPATH precedes the system directories. */
char **method_lib_dirs(const struct method_ctx *rc)
{
	char **v = xcalloc(1, sizeof(char *));
	if (rc->target_libs)
		push_own(&v, rc);
	for (size_t i = 0; rc->run->libdirs[i]; i++)
		if (!strv_contains(v, rc->run->libdirs[i]))
			strv_push(&v, rc->run->libdirs[i]);
	push_own(&v, rc);
	for (size_t i = 0; rc->extra_libdirs && rc->extra_libdirs[i]; i++)
		if (!strv_contains(v, rc->extra_libdirs[i]))
			strv_push(&v, rc->extra_libdirs[i]);
	return v;
}

char *method_join_colon(char *const *v)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_join(&b, v, ":");
	return strbuf_detach(&b);
}

/* Environment every method starts from: nothing inherited that changes how
 * the loader searches, and (unless lazy) every symbol bound at start-up, so a
 * symbol that cannot be bound fails the cell whatever code path runs. */
char **method_base_env(const struct method_ctx *rc)
{
	char **env = NULL;
	strv_push(&env, "LD_LIBRARY_PATH");
	strv_push(&env, "LD_PRELOAD");
	strv_push(&env, "LD_AUDIT");
	strv_push(&env, "GCONV_PATH");
	strv_push(&env, "LOCPATH");
	strv_push(&env, "LC_ALL=C");
	strv_push(&env, rc->lazy ? "LD_BIND_NOW" : "LD_BIND_NOW=1");
	return env;
}

/* A distribution's libc has its distribution's absolute paths compiled in
 * (/usr/lib/<triplet>/gconv): outside its root file system they name the
 * host's modules, of another glibc.  Point it at its own, as its own system
 * would.  A from-source sysroot knows its prefix and needs nothing. */
void method_push_data_env(char ***env, const struct sysroot *run)
{
	if (run->origin == ORIGIN_SOURCE || run->origin == ORIGIN_HOST)
		return;
	char *g = method_gconv_dir(run);
	if (g)
		strv_push_take(env, xasprintf("GCONV_PATH=%s", g));
	free(g);
}

char *method_gconv_dir(const struct sysroot *run)
{
	for (size_t i = 0; run->libdirs[i]; i++) {
		char *g = path_join(run->libdirs[i], "gconv");
		cleanup_free char *mods = path_join(g, "gconv-modules");
		if (path_is_file(mods))
			return g;
		free(g);
	}
	return NULL;
}

void method_push_args(char ***argv, const struct method_ctx *rc)
{
	for (size_t i = 0; rc->args && rc->args[i]; i++)
		strv_push(argv, rc->args[i]);
}

static char *binary_interp(const char *binary)
{
	const struct elf_info *in;
	if (elfcache_get(binary, &in, NULL) == 1 && in->interp)
		return xstrdup(in->interp);
	return NULL;
}

/* Copies the binary's companions (plugins, found beside the executable)
 * next to a patched copy. */
static int copy_companions(const struct method_ctx *rc, struct gm_err **err)
{
	for (size_t i = 0; rc->companions && rc->companions[i]; i++) {
		const char *b = strrchr(rc->companions[i], '/');
		cleanup_free char *dst = path_join(rc->workdir, b ? b + 1 : rc->companions[i]);
		if (copy_file(rc->companions[i], dst, err) < 0)
			return -1;
	}
	return 0;
}

int method_patched_copy(const struct method_ctx *rc, const char *interp, struct method_cmd *c,
		       char **ret, struct gm_err **err)
{
	cleanup_strv char **dirs = method_lib_dirs(rc);
	cleanup_free char *runpath = method_join_colon(dirs);
	return method_patched_copy_at(rc, interp, runpath, c, ret, err);
}

int method_patch_to(const struct method_ctx *rc, const char *interp, const char *runpath,
		   const char *out, struct method_cmd *c, struct gm_err **err)
{
	struct elf_patch_opts o = {.interp = interp, .path_op = ELF_PATCH_PATH_RUNPATH,
				   .path = runpath};
	if (elf_patch(rc->binary, out, &o, NULL, err) < 0) {
		/* elf_patch's usage errors are its verdict on the file. */
		if ((*err)->code != GM_EXIT_USAGE)
			return -1;
		c->refusal = xstrdup((*err)->msg);
		gm_err_free(err);
		return METHOD_REFUSED;
	}
	return 0;
}

int method_patched_copy_at(const struct method_ctx *rc, const char *interp, const char *runpath,
			  struct method_cmd *c, char **ret, struct gm_err **err)
{
	const char *b = strrchr(rc->binary, '/');
	char *out = path_join(rc->workdir, b ? b + 1 : rc->binary);
	if (mkdir_p(rc->workdir, 0755, err) < 0) {
		free(out);
		return -1;
	}
	int r = method_patch_to(rc, interp, runpath, out, c, err);
	if (r != 0) {
		free(out);
		return r;
	}
	if (copy_companions(rc, err) < 0) {
		free(out);
		return -1;
	}
	*ret = out;
	return 0;
}

void method_expect_run(const struct method_ctx *rc, struct method_cmd *c)
{
	c->expect.glibc_version = rc->run->glibc_version;
	c->expect.libdirs = rc->run->libdirs;
}

/* The host's loader runs the binary; its directories are the host's. */
static char **host_dirs(void)
{
	struct sysroot host;
	sysroot_host(&host);
	char **dirs = sysroot_system_dirs(&host);
	sysroot_release(&host);
	return dirs;
}

int method_predict(const struct method_ctx *rc, bool own_loader, enum method_search where,
			 struct gm_prediction *p, struct gm_err **err)
{
	cleanup_free char *interp = own_loader ? binary_interp(rc->binary) : xstrdup(rc->run->loader);
	/* With the target's libraries only, the sysroot's loader runs where the
	 * host's directories show the sysroot's (matrix: cell_plan.cover). */
	cleanup_strv char **all = sysroot_all_libdirs(rc->run);
	/* Where the host's directories show the sysroot's, a RUNPATH naming
	 * them finds the sysroot's too. */
	cleanup_strv char **covered = rc->target_libs && !own_loader
					      ? host_multiarch_dirs(arch_by_gnu(rc->run->arch))
					      : NULL;
	cleanup_strv char **sys = own_loader        ? host_dirs()
				  : rc->target_libs ? strv_dup(all)
						    : sysroot_system_dirs(rc->run);
	cleanup_strv char **dirs = method_lib_dirs(rc);
	cleanup_free char *own_glibc = own_loader && interp ? glibc_loader_version(interp) : NULL;
	struct predict_env env = {
		.interp = interp,
		.sysroot_dirs = own_loader ? NULL : rc->target_libs ? all : rc->run->libdirs,
		.library_path = where == SEARCH_LIBPATH ? dirs : NULL,
		.main_runpath = where == SEARCH_RUNPATH ? dirs : NULL,
		.system_dirs = sys,
		.covered = covered,
		.covered_by = all,
		.dlopened = rc->dlopened,
		.runtime = rc->runtime,
		.interp_glibc = !own_loader ? rc->run->glibc_version
				: own_glibc ? own_glibc : gnu_get_libc_version(),
		/* Only the host method (its own loader, no search path) runs the
		 * binary as it is. */
		.swaps_glibc = !own_loader || where != SEARCH_NONE,
		.explicit_loader = !own_loader && where == SEARCH_LIBPATH,
	};
	return predict_process(rc->binary, &env, p, err);
}

const struct method *method_find(const char *name)
{
	for (const struct method *const *r = method_all(); *r; r++)
		if (strcmp((*r)->name, name) == 0)
			return *r;
	return NULL;
}

const struct method *method_first(unsigned caps)
{
	for (const struct method *const *r = method_all(); *r; r++)
		if (((*r)->caps & caps) == caps)
			return *r;
	return NULL;
}

char *method_names(unsigned caps)
{
	struct strbuf b = STRBUF_INIT;
	for (const struct method *const *r = method_all(); *r; r++)
		if (((*r)->caps & caps) == caps)
			strbuf_addf(&b, "%s%s", b.len ? ", " : "", (*r)->name);
	return strbuf_detach(&b);
}

/* "  NAME  SUMMARY", the summary's words wrapped under its first column so
 * that a --help stays within 80 columns. */
static void help_line(struct strbuf *b, const char *name, const char *summary)
{
	enum { INDENT = 18, WIDTH = 80 }; /* INDENT: "  NAME" padded */
	size_t col = INDENT;
	strbuf_addf(b, "  %-16s", name);
	for (const char *w = summary; *w;) {
		size_t len = strcspn(w, " ");
		if (col > INDENT && col + 1 + len > WIDTH) {
			strbuf_addf(b, "\n%*s", INDENT, "");
			col = INDENT;
		}
		strbuf_addf(b, " %.*s", (int)len, w);
		col += 1 + len;
		w += len;
		w += strspn(w, " ");
	}
	strbuf_addf(b, "\n");
}

char *method_help(unsigned caps)
{
	struct strbuf b = STRBUF_INIT;
	for (const struct method *const *r = method_all(); *r; r++)
		if (((*r)->caps & caps) == caps)
			help_line(&b, (*r)->name, (*r)->summary);
	return strbuf_detach(&b);
}

bool method_applies(const struct method *r, const char *build_arch, const char *run_arch)
{
	/* A binary runs against a glibc of its own architecture; one of
	 * another machine than this runs only under an emulator. */
	const struct gm_arch *host = arch_host();
	if (strcmp(build_arch, run_arch) != 0)
		return false;
	return (host && strcmp(build_arch, host->gnu) == 0) ||
	       (r->caps & (METHOD_EMULATOR | METHOD_BINFMT));
}

bool method_emulated(const char *arch)
{
	const struct gm_arch *host = arch_host();
	return !host || strcmp(arch, host->gnu) != 0;
}

void method_emulate(struct method_cmd *c, const char *emulator)
{
	if (!emulator)
		return;
	size_t n = strv_len(c->argv);
	c->argv = xrealloc(c->argv, (n + 2) * sizeof(char *));
	memmove(c->argv + 1, c->argv, (n + 1) * sizeof(char *));
	c->argv[0] = xstrdup(emulator);
	/* qemu says which system calls it does not implement (it returns
	 * ENOSYS, as a kernel too old would): the classifier tells the
	 * emulator's gap from the program's or glibc's failure by it. */
	strv_push(&c->env, "QEMU_LOG=unimp");
}

int method_prepare_copy(const struct method_ctx *rc, const char *interp, struct method_cmd *c,
		       struct gm_err **err)
{
	char *copy;
	int r = method_patched_copy(rc, interp, c, &copy, err);
	if (r != 0)
		return r;
	c->env = method_base_env(rc);
	method_push_data_env(&c->env, rc->run);
	strv_push_take(&c->argv, copy);
	method_push_args(&c->argv, rc);
	method_expect_run(rc, c);
	return 0;
}
