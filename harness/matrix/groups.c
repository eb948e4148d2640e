/* Container cells run in groups: the cells that share a root filesystem,
 * mounts, hook and environment (the same build-independent container)
 * run in one container start through our batch helper, each program with
 * its own timeout and record, so the container part costs one start per
 * group, not one per cell.  A program's files (the binary, its companions)
 * are put in place inside the container, in its own /gm, from one host copy
 * per set of files under work/files: a cell costs no file on the host. */
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

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct group {
	char *key;
	size_t *cells;
	size_t n;
};

struct groups_job {
	struct exec_job *j;
	struct group *groups;
	char ***stage_src;  /* per cell: its cmd's stage_src as the container sees them */
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

/* The image's own programs ran in this group's container beside its
 * cells: each cell says how many ran ok ("image intact N/M"), and a
 * user's program in a broken image did not do what was expected. */
static void image_tally(struct exec_job *j, const struct group *g)
{
	size_t n = 0, ok = 0;
	for (size_t k = 0; k < g->n; k++) {
		const struct cell *c = &j->m->cells[g->cells[k]];
		if (c->plan.image_program) {
			n++;
			ok += c->obs.outcome == GM_OK;
		}
	}
	for (size_t k = 0; n && k < g->n; k++) {
		struct cell *c = &j->m->cells[g->cells[k]];
		c->obs.image_programs = n;
		c->obs.image_intact = ok;
		/* Said where it matters: an image left intact is in the
		 * document's "image" alone. */
		if (c->plan.image_program || !c->obs.detail || ok == n)
			continue;
		char *d = xasprintf("%s%simage intact %zu/%zu", c->obs.detail, *c->obs.detail ? "; " : "",
				    ok, n);
		free(c->obs.detail);
		c->obs.detail = d;
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
		progs[k].stage_src = gj->stage_src[g->cells[k]];
		progs[k].stage_dst = j->cmds[g->cells[k]]->stage_dst;
	}
	struct batch_spec spec = {
		.rootfs = c0->plan.rootfs->root,
		.stage_dir = work,
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
		image_tally(j, g);
	}
	/* Nothing of a cell's own is on the host (work/shared and work/files
	 * go with work/ at the end of the run). */
	for (size_t k = 0; k < g->n; k++) {
		batch_prog_release(&progs[k]);
		matrix_tick(j);
	}
	free(progs);
	free(mounts);
}

/* A hard link costs nothing; the store and the report directory may lie
 * on different file systems, then it is a copy. */
static int place(const char *src, const char *dst, struct gm_err **err)
{
	unlink(dst);
	if (link(src, dst) < 0 && copy_file(src, dst, err) < 0)
		return -1;
	return 0;
}

static const char *base_name(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

/* Where the container finds cmd's files below /gm-work (work there):
 * files all in work as they are, others linked once per set into
 * work/files/<k>/ under the names they take in the cell's directory (a
 * set stays together: gm-batch's link to a large file finds its companions
 * beside it).  NULL for no files; -1 + err. */
static int stage_sources(const char *work, const struct method_cmd *cmd, struct strmap *sets,
			 char ***ret, struct gm_err **err)
{
	*ret = NULL;
	size_t n = strv_len(cmd->stage_src);
	if (!n)
		return 0;
	size_t wl = strlen(work);
	bool in_work = true;
	for (size_t i = 0; in_work && i < n; i++)
		in_work = strncmp(cmd->stage_src[i], work, wl) == 0 && cmd->stage_src[i][wl] == '/';
	char **v = xcalloc(n + 1, sizeof(char *));
	if (in_work) {
		for (size_t i = 0; i < n; i++)
			v[i] = xasprintf("/gm-work/%s", cmd->stage_src[i] + wl + 1);
		*ret = v;
		return 0;
	}
	struct strbuf key = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&key, "%s\t%s\n", cmd->stage_src[i], base_name(cmd->stage_dst[i]));
	size_t k = sets->n, got = strmap_intern(sets, strbuf_str(&key), k);
	strbuf_release(&key);
	cleanup_free char *dir = xasprintf("%s/files/%zu", work, got);
	if (got == k && mkdir_p(dir, 0755, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const char *name = base_name(cmd->stage_dst[i]);
		if (got == k) {
			cleanup_free char *dst = path_join(dir, name);
			if (place(cmd->stage_src[i], dst, err) < 0)
				goto fail;
		}
		v[i] = xasprintf("/gm-work/files/%zu/%s", got, name);
	}
	*ret = v;
	return 0;
fail:
	strv_free(v);
	return -1;
}

void groups_run(struct exec_job *j)
{
	struct group *groups = NULL;
	struct strmap by_key = STRMAP_INIT;  /* a cell's key to its group: linear in cells */
	struct strmap sets = STRMAP_INIT;    /* a set of staged files to its directory */
	char ***stage_src = xcalloc(j->m->n + 1, sizeof(*stage_src));
	cleanup_free char *work = path_join(j->o->outdir, "work");
	size_t n = 0;
	for (size_t i = 0; i < j->m->n; i++) {
		if (!j->cmds[i])
			continue;
		struct gm_err *e = NULL;
		if (stage_sources(work, j->cmds[i], &sets, &stage_src[i], &e) < 0) {
			pool_keep_error(&j->err, e, &j->lock);
			break;
		}
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
	struct groups_job gj = {.j = j, .groups = groups, .stage_src = stage_src};
	/* Which runtime works here is found once, before the pool: its
	 * threads then only read the answer (a failure is each group's skip
	 * reason, given again by batch_run). */
	const char *runtime;
	struct gm_err *e = NULL;
	if (n && oci_runtime(j->ctx->cfg, &runtime, &e) < 0)
		gm_err_free(&e);
	if (n && !j->err)
		pool_run(n, j->o->jobs, group_task, &gj);
	for (size_t g = 0; g < n; g++) {
		free(groups[g].key);
		free(groups[g].cells);
	}
	free(groups);
	for (size_t i = 0; i < j->m->n; i++)
		strv_free(stage_src[i]);
	free(stage_src);
	strmap_release(&by_key);
	strmap_release(&sets);
}
