/* Container cells run in groups: the cells that share a root filesystem,
 * mounts, hook and environment (the same build-independent container)
 * run in one container start through our batch helper, each program with
 * its own timeout and record, so the container part costs one start per
 * group, not one per cell. */
#define _GNU_SOURCE
#include "matrix/matrix-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/util.h"
#include "container/batch.h"
#include "container/oci.h"
#include "exec/pool.h"

#include <string.h>

struct group {
	char *key;
	size_t *cells;
	size_t n;
};

struct groups_job {
	struct exec_job *j;
	struct group *groups;
};

static void add_strv(struct strbuf *b, const char *tag, char *const *v)
{
	strbuf_addf(b, "%s:", tag);
	for (size_t i = 0; v && v[i]; i++)
		strbuf_addf(b, "%s\t", v[i]);
	strbuf_addch(b, '\n');
}

/* What makes two cells' containers the same. */
static char *group_key(const struct cell *c, const struct method_cmd *cmd)
{
	struct strbuf b = STRBUF_INIT;
	strbuf_addf(&b, "root:%s\n", c->plan.rootfs->root);
	add_strv(&b, "src", cmd->mount_src);
	add_strv(&b, "dst", cmd->mount_dst);
	add_strv(&b, "hook", cmd->hook_argv);
	add_strv(&b, "hookenv", cmd->hook_env);
	add_strv(&b, "env", cmd->env);
	return strbuf_detach(&b);
}

/* A container that could not start (our hook refused, somebody else's
 * hook failed) is what those cells observed: the program never ran.  A
 * hook stopped writing the host is named as such: that is the finding a
 * hook's release gate exists for. */
static void group_failed(struct exec_job *j, const struct group *g, const char *why)
{
	cleanup_free char *wrote = oci_hook_wrote_host(why);
	cleanup_free char *path = wrote && *wrote ? xasprintf(" (%s)", wrote) : xstrdup("");
	for (size_t k = 0; k < g->n; k++) {
		struct cell *c = &j->m->cells[g->cells[k]];
		c->obs.outcome = GM_EXEC_FAILED;
		c->obs.detail = wrote ? xasprintf("the hook tried to write the host%s: %s", path, why)
					   : xasprintf("the container did not start: %s", why);
		c->obs.stdout_excerpt = xstrdup("");
		c->obs.stderr_excerpt = xstrdup("");
		c->done = true;
	}
}

static void group_task(void *p, size_t gi)
{
	struct groups_job *gj = p;
	struct exec_job *j = gj->j;
	const struct group *g = &gj->groups[gi];
	const struct method_cmd *first = j->cmds[g->cells[0]];
	const struct cell *c0 = &j->m->cells[g->cells[0]];
	cleanup_free char *work = path_join(j->o->outdir, "work");
	size_t n_mounts = strv_len(first->mount_src);
	struct oci_mount *mounts = xcalloc(n_mounts + 1, sizeof(*mounts));
	for (size_t k = 0; k < n_mounts; k++)
		mounts[k] = (struct oci_mount){.src = first->mount_src[k], .dst = first->mount_dst[k]};
	struct oci_hook hook = {.argv = first->hook_argv, .env = first->hook_env};
	struct batch_prog *progs = xcalloc(g->n, sizeof(*progs));
	for (size_t k = 0; k < g->n; k++) {
		progs[k].argv = j->cmds[g->cells[k]]->argv;
		progs[k].timeout_s = j->o->timeout_s;
	}
	struct batch_spec spec = {
		.rootfs = c0->plan.rootfs->root,
		.probe_dir = work,
		.mounts = mounts,
		.n_mounts = n_mounts,
		.hooks = &hook,
		.n_hooks = first->hook_argv ? 1 : 0,
		.env = first->env,
		.progs = progs,
		.n = g->n,
	};
	struct gm_err *err = NULL;
	double t0 = now_seconds();
	if (batch_run(j->ctx->cfg, &spec, &err) < 0) {
		if (err->code == GM_EXIT_SKIP) {
			for (size_t k = 0; k < g->n; k++) {
				struct cell *c = &j->m->cells[g->cells[k]];
				c->plan.skip_reason = xstrdup(err->msg);
				c->done = true;
			}
			gm_err_free(&err);
		} else if (spec.start_failed && first->hook_argv) {
			group_failed(j, g, err->msg);
			gm_err_free(&err);
		} else {
			pool_keep_error(&j->err, err, &j->lock);
		}
	} else {
		double each = (now_seconds() - t0) / (double)g->n;
		for (size_t k = 0; k < g->n; k++) {
			struct cell *c = &j->m->cells[g->cells[k]];
			const struct batch_prog *b = &progs[k];
			struct proc_result res = {
				.exit_code = b->ran ? b->exit_code : -1,
				.signal = b->signal,
				.timed_out = b->timed_out,
				.exec_failed = b->exec_errno != 0,
				.exec_errno = b->exec_errno,
				.out = b->out ? b->out : "",
				.err = b->err ? b->err : "",
				.out_len = b->out_len,
				.err_len = b->err_len,
				.duration_s = each,
			};
			cleanup_free char *note = b->ran ? NULL
						 : xstrdup("not run: the container ended first");
			cell_observe(c, j->cmds[g->cells[k]], &res, NULL, note);
			if (!b->ran)
				c->obs.outcome = GM_FAILED;
		}
	}
	for (size_t k = 0; k < g->n; k++) {
		batch_prog_release(&progs[k]);
		if (!j->o->keep_work) {
			cleanup_free char *w = xasprintf("%s/%zu", work, g->cells[k]);
			rm_rf(w, NULL);
		}
		matrix_tick(j);
	}
	free(progs);
	free(mounts);
}

void groups_run(struct exec_job *j)
{
	struct group *groups = NULL;
	struct strmap by_key = STRMAP_INIT;  /* a cell's key to its group: linear in cells */
	size_t n = 0;
	for (size_t i = 0; i < j->m->n; i++) {
		if (!j->cmds[i])
			continue;
		char *key = group_key(&j->m->cells[i], j->cmds[i]);
		size_t g = strmap_intern(&by_key, key, n);
		if (g == n) {
			groups = xrealloc(groups, (n + 1) * sizeof(*groups));
			groups[n++] = (struct group){.key = key};
		} else {
			free(key);
		}
		groups[g].cells = xrealloc(groups[g].cells, (groups[g].n + 1) * sizeof(size_t));
		groups[g].cells[groups[g].n++] = i;
	}
	struct groups_job gj = {.j = j, .groups = groups};
	/* Which runtime works here is found once, before the pool: its
	 * threads then only read the answer (a failure is each group's skip
	 * reason, given again by batch_run). */
	const char *runtime;
	struct gm_err *e = NULL;
	if (n && oci_runtime(j->ctx->cfg, &runtime, &e) < 0)
		gm_err_free(&e);
	if (n)
		pool_run(n, j->o->jobs, group_task, &gj);
	for (size_t g = 0; g < n; g++) {
		free(groups[g].key);
		free(groups[g].cells);
	}
	free(groups);
	strmap_release(&by_key);
}
