#define _GNU_SOURCE
#include "matrix/matrix.h"
#include "matrix/matrix-int.h"
#include "base/interrupt.h"
#include "verdict/classify.h"
#include "base/cleanup.h"
#include "exec/contain.h"
#include "exec/pool.h"
#include "exec/proc.h"
#include "base/fs.h"
#include "base/progress.h"
#include "base/utf8.h"
#include "base/strbuf.h"
#include "elf/glibcver.h"
#include "base/util.h"
#include "store/claim.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <sys/file.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cell *matrix_add(struct matrix *m, const char *subject, const char *binary,
			const struct sysroot *build, const struct sysroot *run,
			const struct method *method)
{
	m->cells = xrealloc(m->cells, (m->n + 1) * sizeof(*m->cells));
	struct cell *c = &m->cells[m->n++];
	memset(c, 0, sizeof(*c));
	c->plan.subject = xstrdup(subject);
	c->plan.binary = binary ? xstrdup(binary) : NULL;
	c->plan.build = build;
	c->plan.run = run;
	c->plan.method = method;
	c->plan.companions = xcalloc(1, sizeof(char *));
	c->plan.args = xcalloc(1, sizeof(char *));
	c->plan.runtime = xcalloc(1, sizeof(char *));
	c->plan.extra_libdirs = xcalloc(1, sizeof(char *));
	c->pred.host_libs = xcalloc(1, sizeof(char *));
	c->pred.outcome = c->obs.outcome = GM_SKIPPED;
	return c;
}

/* The one judgement of every cell (verdict/verdict.h), once it is settled. */
static void judge(struct cell *c)
{
	struct verdict_input in = {.probe = c->plan.probe, .by_prediction = c->plan.by_prediction,
				   .image_broken = !c->plan.image_program &&
						   c->obs.image_intact < c->obs.image_programs,
				   .ran = c->done && !c->plan.skip_reason,
				   .predicted = c->pred.outcome, .observed = c->obs.outcome,
				   .expect_exit = c->plan.expect_exit};
	verdict_decide(&in, &c->verdict);
}

/* detail (a missing library's name, in a loader's message or not) with
 * ", which no package of SUITE ships" when the run sysroot's suite does
 * not ship it (cli/target-libs.h); a new string. */
static char *unshipped_detail(const struct cell *c, enum gm_outcome outcome, const char *detail)
{
	const struct sysroot *run = c->plan.run;
	for (size_t i = 0; outcome == GM_MISSING_LIBRARY && c->plan.cover && run->unshipped &&
			   run->unshipped[i]; i++)
		if (detail && strstr(detail, run->unshipped[i]))
			return xasprintf("%s; no package of %s ships %s", detail, run->suite,
					 run->unshipped[i]);
	return xstrdup(detail ? detail : "");
}

/* Predicts cell i and prepares its command.  Returns 1 when cmd is ready
 * to run, 0 when the cell is settled without running (the method could not
 * prepare: an observation), -1 + err. */
static int cell_prepare(struct exec_job *j, size_t i, struct method_cmd *cmd, struct gm_err **err)
{
	struct cell *c = &j->m->cells[i];
	cleanup_free char *work = xasprintf("%s/work/%zu", j->o->outdir, i);
	cleanup_free char *inside = xasprintf("/gm/%zu", i);
	cleanup_strv char **dlopened = NULL;
	struct gm_prediction pred;

	for (size_t k = 0; c->plan.companions[k]; k++)
		strv_push(&dlopened, c->plan.companions[k]);
	if (c->plan.loads)
		strv_push(&dlopened, c->plan.loads);
	struct method_ctx mc = {.cfg = j->ctx->cfg, .binary = c->plan.binary, .companions = c->plan.companions,
				.runtime = c->plan.runtime, .run = c->plan.run,
				.extra_libdirs = c->plan.extra_libdirs,
				.workdir = work, .args = c->plan.args, .dlopened = dlopened,
				.lazy = j->o->lazy, .own_search = !c->plan.probe,
				.emulator = c->plan.emulator,
				.target_libs = c->plan.cover != NULL,
				.image_program = c->plan.image_program};
	struct method_tree tree = {.rootfs = c->plan.rootfs, .container_dir = inside,
				  .hook = j->o->hook, .run_library = c->plan.run_library};
	if (method_in_container(c->plan.method))
		mc.tree = &tree;
	if (c->plan.method->predict(&mc, &pred, err) < 0)
		return -1;
	c->pred.detail = unshipped_detail(c, pred.outcome, pred.detail);
	c->pred.outcome = verdict_predicted(pred.outcome, c->plan.behaviour, &c->pred.detail);
	for (size_t k = 0; pred.host_libs[k]; k++)
		strv_push(&c->pred.host_libs, pred.host_libs[k]);
	c->pred.problems = steal_pointer(&pred.problems);
	c->pred.n_problems = pred.n_problems;
	pred.n_problems = 0;
	if (!c->plan.probe)
		c->pred.libraries = strv_dup(pred.libraries);
	prediction_release(&pred);

	int pr = c->plan.method->prepare(&mc, cmd, err);
	if (pr == METHOD_REFUSED) {
		/* A method that cannot even prepare (the patcher refuses the file)
		 * is an observation about the method, not a failure of ours. */
		c->obs.outcome = GM_EXEC_FAILED;
		c->obs.detail = xasprintf("prepare: %s", cmd->refusal);
		c->done = true;
	}
	if (pr != 0) {
		method_cmd_release(cmd);
		return pr < 0 ? -1 : 0;
	}
	method_emulate(cmd, c->plan.emulator);
	return 1;
}

void cell_observe(struct cell *c, const struct method_cmd *cmd, const struct proc_result *res,
		  const struct run_trace *trace, const char *note)
{
	struct classified cl;
	struct run_expect expect = cmd->expect;
	if (c->plan.static_binary && c->plan.build) {
		expect.glibc_version = c->plan.build->glibc_version;
		expect.libdirs = NULL;
	}
	classify_traced(res, c->plan.probe ? &expect : NULL, trace, &cl);
	cl.outcome = verdict_observed(c->plan.probe, cl.outcome, res->exit_code, c->plan.expect_exit,
				      &cl.detail);
	c->obs.outcome = res->interrupted ? GM_SKIPPED : cl.outcome;
	cleanup_free char *said = unshipped_detail(c, cl.outcome, cl.detail);
	c->obs.detail = res->interrupted ? xstrdup("interrupted")
			     : note ? xasprintf("%s%s%s", said, *said ? "; " : "", note)
				    : xstrdup(said);
	c->obs.exit_code = res->exit_code;
	c->obs.signal = res->signal;
	c->obs.duration_s = res->duration_s;
	c->obs.stdout_excerpt = utf8_excerpt(res->out ? res->out : "", res->out ? res->out_len : 0, 2000,
					 &c->obs.stdout_len);
	c->obs.stderr_excerpt = utf8_excerpt(res->err ? res->err : "", res->err ? res->err_len : 0, 2000,
					 &c->obs.stderr_len);
	c->obs.ran_glibc = cl.ran_glibc ? xstrdup(cl.ran_glibc) : NULL;
	c->obs.ran_libc = cl.ran_libc ? xstrdup(cl.ran_libc) : NULL;
	c->done = !res->interrupted;
	classified_release(&cl);
}

/* The key of a trace: what the loader sees of the command but the
 * program's own arguments (which trace mode never reaches: the loader maps
 * the objects, lists them and exits before the program runs), the
 * environment and the directory; each part length-prefixed.  Every method
 * ends argv with the cell's arguments; NULL when this one does not. */
static char *trace_key(const struct cell *c, const struct method_cmd *cmd, const char *cwd)
{
	size_t argc = strv_len(cmd->argv), nargs = strv_len(c->plan.args);
	if (nargs > argc)
		return NULL;
	for (size_t k = 0; k < nargs; k++)
		if (strcmp(cmd->argv[argc - nargs + k], c->plan.args[k]) != 0)
			return NULL;
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "%zu:%s", strlen(cwd), cwd);
	for (size_t k = 0; k < argc - nargs; k++)
		strbuf_addf(&b, "|%zu:%s", strlen(cmd->argv[k]), cmd->argv[k]);
	strbuf_addstr(&b, "|env");
	for (size_t k = 0; cmd->env && cmd->env[k]; k++)
		strbuf_addf(&b, "|%zu:%s", strlen(cmd->env[k]), cmd->env[k]);
	return strbuf_detach(&b);
}

/* Which loader and libc a user's binary ran on: a probe says so itself, a
 * user's program does not (nor a probe a signal ended before its report),
 * so the same command runs again in the loader's trace mode (classify.h:
 * struct run_trace) before the run is judged.  Not
 * for a static executable, which ignores the variable and would run again.
 * A trace depends on the command up to the program, not on its arguments:
 * cells that differ only there (the shared objects check loads with one
 * program per sysroot) share one trace. */
static void trace_run(struct exec_job *j, const struct cell *c, const struct method_cmd *cmd,
		      const struct proc_result *ran, const char *cwd, double timeout_s,
		      struct run_trace *t)
{
	memset(t, 0, sizeof(*t));
	/* A probe reports where it ran, unless a signal ended it before it
	 * could (classify.c: ran_on). */
	cleanup_free char *reported = c->plan.probe ? kv_get(ran->out, "ld") : NULL;
	if (c->plan.static_binary || (c->plan.probe && (reported || !ran->signal)))
		return;
	cleanup_free char *key = trace_key(c, cmd, cwd);
	size_t at;
	pthread_mutex_lock(&j->lock);
	bool known = key && strmap_get(&j->trace_keys, key, &at);
	if (known) {
		t->ld = j->trace_ld[at] ? xstrdup(j->trace_ld[at]) : NULL;
		t->libc = j->trace_libc[at] ? xstrdup(j->trace_libc[at]) : NULL;
	}
	pthread_mutex_unlock(&j->lock);
	if (known)
		return;
	cleanup_strv char **env = strv_dup(cmd->env);
	strv_push(&env, "LD_TRACE_LOADED_OBJECTS=1");
	struct proc_spec spec = {.argv = cmd->argv, .env = env, .cwd = cwd,
				 .timeout_s = timeout_s < 10 ? timeout_s : 10, .capture_max = 1 << 16,
				 .log_fd = -1, .stdin_fd = -1, .rlimit_nproc = 64,
				 .rlimit_as = contain_memory_limit(),
				 .cover = cmd->cover_host_libs ? (const char *const *)c->plan.cover : NULL,
				 .cover_with = (const char *const *)c->plan.cover_with};
	struct proc_result res;
	if (proc_run(&spec, &res, NULL) < 0)
		return;
	bool whole = res.exit_code == 0;
	if (whole)
		run_trace_parse(res.out, res.out_len, t);
	/* Kept when it is the loader's answer (it exited, not interrupted,
	 * not timed out): a trace cut short says nothing about the next. */
	bool keep = key && !res.interrupted && !res.timed_out && !res.exec_failed && !res.signal;
	proc_result_release(&res);
	if (!keep)
		return;
	pthread_mutex_lock(&j->lock);
	if (!strmap_get(&j->trace_keys, key, &at)) {
		j->trace_ld = xrealloc(j->trace_ld, (j->n_traces + 1) * sizeof(char *));
		j->trace_libc = xrealloc(j->trace_libc, (j->n_traces + 1) * sizeof(char *));
		j->trace_ld[j->n_traces] = t->ld ? xstrdup(t->ld) : NULL;
		j->trace_libc[j->n_traces] = t->libc ? xstrdup(t->libc) : NULL;
		strmap_set(&j->trace_keys, key, j->n_traces++);
	}
	pthread_mutex_unlock(&j->lock);
}

static void run_cell(struct exec_job *j, size_t i, struct gm_err **err)
{
	struct cell *c = &j->m->cells[i];
	cleanup_free char *work = xasprintf("%s/work/%zu", j->o->outdir, i);
	struct method_cmd cmd = {0};
	struct proc_result res;

	if (cell_prepare(j, i, &cmd, err) <= 0)
		return;
	if (method_in_container(c->plan.method)) {
		/* Run later with its group (matrix/groups.c). */
		j->cmds[i] = xmalloc(sizeof(cmd));
		*j->cmds[i] = cmd;
		return;
	}
	cleanup_free char *cwd = path_join(j->o->outdir, "work");
	/* The cell's cgroup bounds its processes and memory, even for root
	 * and for what leaves the process group; without one, RLIMIT_AS is
	 * the memory bound and the orphan sweep finds the escapers. */
	struct contain_cell *group = contain_cell_new();
	struct proc_spec spec = {.argv = cmd.argv, .env = cmd.env, .cwd = cwd,
				 .timeout_s = j->o->timeout_s, .capture_max = 64 * 1024,
				 .log_fd = -1, .stdin_fd = -1, .rlimit_nproc = 4096,
				 .rlimit_fsize = 64L << 20, .cell = group, .sweep_orphans = true,
				 .rlimit_as = group ? 0 : contain_memory_limit(),
				 .cover = cmd.cover_host_libs ? (const char *const *)c->plan.cover : NULL,
				 .cover_with = (const char *const *)c->plan.cover_with};
	int pr = proc_run(&spec, &res, err);
	bool oom = contain_cell_oom(group);
	contain_cell_free(group);
	if (pr < 0) {
		method_cmd_release(&cmd);
		return;
	}
	cleanup_free char *note = oom ? xasprintf("the cell's memory limit (%ld MiB) was reached",
						  contain_memory_limit() >> 20)
				      : NULL;
	struct run_trace trace = {0};
	if (!res.interrupted && !res.exec_failed)
		trace_run(j, c, &cmd, &res, cwd, j->o->timeout_s, &trace);
	cell_observe(c, &cmd, &res, &trace, note);
	run_trace_release(&trace);
	proc_result_release(&res);
	method_cmd_release(&cmd);
	if (!j->o->keep_work && path_exists(work))
		rm_rf(work, NULL);
}

static void task(void *p, size_t i)
{
	struct exec_job *j = p;
	struct cell *c = &j->m->cells[i];
	struct gm_err *err = NULL;

	if (c->plan.skip_reason) {
		c->done = true;
	} else {
		run_cell(j, i, &err);
		if (err)
			pool_keep_error(&j->err, err, &j->lock);
	}
	if (!j->cmds[i])
		matrix_tick(j);
}

void matrix_tick(struct exec_job *j)
{
	pthread_mutex_lock(&j->lock);
	progress_tick(&j->progress);
	pthread_mutex_unlock(&j->lock);
}

/* Two runs given one --out would share work/ and overwrite each other's
 * results.json: the directory itself is flock()ed for the rest of the
 * process (the descriptor is kept open on purpose; the kernel drops the
 * lock when the process ends, however it ends). */
static int outdir_claim(const char *dir, struct gm_err **err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return gm_infra(err, errno, "cannot open '%s'", dir);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return gm_usage(err, "--out '%s' is in use by another glibc-matrix run", dir);
		return gm_infra(err, e, "cannot lock '%s'", dir);
	}
	return 0;
}

int matrix_outdir(const char *requested, const char *prefix, char **ret, struct gm_err **err)
{
	*ret = NULL;
	if (requested) {
		if (!*requested)
			return gm_usage(err, "--out: want a directory, not an empty name");
		if (path_exists(requested) && !path_is_dir(requested))
			return gm_usage(err, "--out '%s' exists and is not a directory", requested);
		if (mkdir_p(requested, 0755, err) < 0 || outdir_claim(requested, err) < 0)
			return -1;
		*ret = path_absolute(requested);
		return 0;
	}
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir_p("reports", 0755, err) < 0)
		return -1;
	for (int n = 1; n <= 1000; n++) {
		cleanup_free char *dir = n == 1 ? xasprintf("reports/%s%s", prefix, stamp)
					     : xasprintf("reports/%s%s-%d", prefix, stamp, n);
		if (mkdir(dir, 0755) == 0) {
			*ret = path_absolute(dir);
			return 0;
		}
		if (errno != EEXIST)
			return gm_infra(err, errno, "cannot create '%s'", dir);
	}
	return gm_infra(err, EEXIST, "no free directory reports/%s%s-N", prefix, stamp);
}

/* A run's work directory as a claim of the store notes it (store/claim.h):
 * removed when the claim's process is gone. */
static void remove_work(const char *note, void *arg)
{
	size_t *n = arg;
	if (str_ends(note, "/work") && path_is_dir(note) && rm_rf(note, NULL) == 0)
		(*n)++;
}

/* A run killed with SIGKILL cannot remove its work directory.  Each run
 * notes it in its claim on the store, flocked while the run lives, and the
 * next run removes the work of the claims nobody holds (as sysroot builds
 * sweep trash/): a harness in another pid namespace, where our pid means
 * nothing, cannot take a live run's flock.  Entries runs/<pid> of older
 * harnesses (no lock) still go by their pid.  Returns whether this run is
 * registered (not when the store is not writable: the run goes on). */
static bool work_register(const struct gm_ctx *ctx, const char *work)
{
	cleanup_free char *runs = NULL;
	struct gm_err *e = NULL;
	if (store_dir(ctx->cfg, "runs", &runs, &e) < 0) {
		gm_err_free(&e);
		return false;
	}
	DIR *d = opendir(runs);
	struct dirent *de;
	size_t n = 0;
	while (d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || contain_pid_alive(pid))
			continue;
		cleanup_free char *entry = path_join(runs, de->d_name);
		cleanup_free char *old = NULL;
		size_t len;
		if (read_file(entry, &old, &len, NULL) == 0)
			remove_work(old, &n);
		unlink(entry);
	}
	if (d)
		closedir(d);
	store_claims_sweep(ctx->cfg, remove_work, &n);
	if (n)
		gm_note(ctx, "removed %zu work directories of killed runs", n);
	if (store_claim(ctx->cfg, work, &e) < 0) {
		gm_err_free(&e);
		return false;
	}
	return true;
}

int matrix_execute(const struct gm_ctx *ctx, struct matrix *m, const struct matrix_opts *o,
		   struct gm_err **err)
{
	struct exec_job j = {.ctx = ctx, .m = m, .o = o, .start = now_seconds(),
			     .cmds = xcalloc(m->n + 1, sizeof(*j.cmds))};
	cleanup_free char *work = path_join(o->outdir, "work");
	bool registered = work_register(ctx, work);
	if (mkdir_p(work, 0755, err) < 0) {
		if (registered)
			store_claim_release();
		for (size_t i = 0; i < m->n; i++)
			judge(&m->cells[i]);
		return -1;
	}
	contain_setup(ctx->cfg);
	m->containment = contain_mode_name();
	m->containment_note = xstrdup(contain_reason());
	m->cell_pids_max = contain_mode() == CONTAIN_RLIMIT ? 0 : contain_pids_limit();
	m->cell_memory_bytes = contain_memory_limit();
	if (contain_stale_groups())
		gm_note(ctx, "removed %zu cgroups of killed runs (%zu processes killed)",
			contain_stale_groups(), contain_stale_procs());
	if (contain_mode() == CONTAIN_RLIMIT)
		gm_note(ctx, "containment: rlimit-only (%s)", m->containment_note);
	pthread_mutex_init(&j.lock, NULL);
	/* A live line on a terminal; nothing otherwise (results speak then). */
	progress_init(&j.progress, ctx->tty, ctx->quiet || !ctx->tty, "run");
	j.progress.expected = (long)m->n;
	progress_phase(&j.progress, "cells", "cells done");
	m->started = now_rfc3339();
	pool_run(m->n, o->jobs, task, &j);
	if (!j.err && !interrupted())
		groups_run(&j);
	for (size_t i = 0; i < m->n; i++)
		if (j.cmds[i]) {
			method_cmd_release(j.cmds[i]);
			free(j.cmds[i]);
		}
	free(j.cmds);
	for (size_t i = 0; i < j.n_traces; i++) {
		free(j.trace_ld[i]);
		free(j.trace_libc[i]);
	}
	free(j.trace_ld);
	free(j.trace_libc);
	strmap_release(&j.trace_keys);
	m->finished = now_rfc3339();
	m->wall_s = now_seconds() - j.start;
	progress_done(&j.progress);
	m->complete = !interrupted();
	for (size_t i = 0; i < m->n; i++) {
		m->complete &= m->cells[i].done;
		judge(&m->cells[i]);
	}
	pthread_mutex_destroy(&j.lock);
	contain_teardown();
	if (!o->keep_work)
		rm_rf(work, NULL);
	if (registered)
		store_claim_release();
	if (j.err) {
		*err = j.err;
		return -1;
	}
	return 0;
}

void matrix_release(struct matrix *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct cell *c = &m->cells[i];
		free(c->plan.subject);
		free(c->plan.binary);
		strv_free(c->plan.companions);
		free(c->plan.loads);
		strv_free(c->plan.args);
		strv_free(c->plan.runtime);
		strv_free(c->plan.extra_libdirs);
		strv_free(c->plan.cover);
		strv_free(c->plan.cover_with);
		free(c->plan.image_program);
		strv_free(c->plan.options);
		free(c->plan.run_library);
		free(c->plan.skip_reason);
		free(c->pred.detail);
		free(c->obs.detail);
		strv_free(c->pred.host_libs);
		strv_free(c->pred.libraries);
		free(c->plan.emulator);
		problems_free(c->pred.problems, c->pred.n_problems);
		free(c->obs.stdout_excerpt);
		free(c->obs.stderr_excerpt);
		free(c->obs.ran_glibc);
		free(c->obs.ran_libc);
	}
	free(m->cells);
	free(m->containment_note);
	free(m->started);
	free(m->finished);
	memset(m, 0, sizeof(*m));
}
