#define _GNU_SOURCE
#include "container/batch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "container/oci.h"
#include "exec/proc.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BATCH_CAPTURE 65536 /* gm-batch's CAPTURE_MAX */

void batch_prog_release(struct batch_prog *p)
{
	free(p->out);
	free(p->err);
	p->out = p->err = NULL;
}

char *batch_describe(const struct batch_prog *p)
{
	if (!p->ran)
		return xstrdup("not run (the container ended first)");
	if (p->timed_out)
		return xasprintf("timed out after %g s", p->timeout_s);
	if (p->exec_errno)
		return xasprintf("exec failed: %s", strerror(p->exec_errno));
	if (p->signal)
		return xasprintf("killed by SIG%s", sigabbrev_np(p->signal) ? sigabbrev_np(p->signal) : "?");
	return xasprintf("exit %d", p->exit_code);
}

/* A plan's field: no tab or newline, not empty. */
static bool plain(const char *s)
{
	return *s && !strpbrk(s, "\t\n");
}

static int write_plan(const struct batch_spec *spec, const char *path, struct gm_err **err)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < spec->n; i++) {
		const struct batch_prog *p = &spec->progs[i];
		if (!p->argv || !p->argv[0] || p->argv[0][0] != '/' || p->timeout_s <= 0) {
			strbuf_release(&sb);
			return gm_usage(err, "program %zu: want an absolute path and a timeout", i + 1);
		}
		for (size_t k = 0; p->stage_src && p->stage_src[k]; k++) {
			const char *s = p->stage_src[k], *d = p->stage_dst[k];
			if (!spec->stage_dir || !plain(s) || !plain(d) || !str_starts(s, "/gm-work/") ||
			    !str_starts(d, "/gm/")) {
				strbuf_release(&sb);
				return gm_usage(err, "program %zu: cannot stage '%s' at '%s'", i + 1, s, d);
			}
			strbuf_addf(&sb, "+\t%s\t%s\n", s, d);
		}
		strbuf_addf(&sb, "%ld", (long)(p->timeout_s * 1000));
		for (size_t k = 0; p->argv[k]; k++) {
			if (!plain(p->argv[k])) {
				strbuf_release(&sb);
				return gm_usage(err, "program %zu: argument '%s' is empty or holds a "
						     "tab or newline", i + 1, p->argv[k]);
			}
			strbuf_addf(&sb, "\t%s", p->argv[k]);
		}
		strbuf_addch(&sb, '\n');
	}
	int r = write_file_atomic(path, strbuf_str(&sb), sb.len, 0644, err);
	strbuf_release(&sb);
	return r;
}

/* A capture as it came: by length, NULs and all, plus a terminator. */
static char *capture_dup(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void batch_parse(const struct batch_spec *spec, const char *out, size_t len)
{
	const char *p = out, *end = out + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		int idx, code, sig, to, ee;
		size_t on, en;
		cleanup_free char *line = xstrndup(p, (size_t)(nl - p));
		p = nl + 1;
		if (sscanf(line, "gm-batch: %d exit %d signal %d timeout %d execerr %d out %zu err %zu",
			   &idx, &code, &sig, &to, &ee, &on, &en) != 7)
			continue;
		if (idx < 0 || (size_t)idx >= spec->n || on > BATCH_CAPTURE || en > BATCH_CAPTURE ||
		    on + en > (size_t)(end - p))
			break; /* a truncated or foreign record: stop trusting the stream */
		struct batch_prog *b = &spec->progs[idx];
		b->ran = true;
		b->exit_code = code;
		b->signal = sig;
		b->timed_out = to != 0;
		b->exec_errno = ee;
		free(b->out);
		free(b->err);
		b->out = capture_dup(p, on);
		b->out_len = on;
		b->err = capture_dup(p + on, en);
		b->err_len = en;
		p += on + en;
	}
}

int batch_run(const struct gm_config *cfg, struct batch_spec *spec, struct gm_err **err)
{
	static unsigned counter;
	const char *helper = oci_batch_helper(cfg, err);
	if (!helper)
		return -1;
	cleanup_free char *bundles = NULL;
	if (store_dir(cfg, "bundles", &bundles, err) < 0)
		return -1;
	cleanup_free char *dir = xasprintf("%s/batch-%d-%u", bundles, (int)getpid(),
					   __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	cleanup_free char *bin = path_join(dir, "gm-batch");
	cleanup_free char *plan = path_join(dir, "plan");
	double total = 10; /* the container's own start and stop */
	for (size_t i = 0; i < spec->n; i++)
		total += spec->progs[i].timeout_s + 1;
	int r = -1;
	/* The helper linked where it can be (the container sees it read-only),
	 * copied where the store is another file system. */
	if (rm_rf(dir, err) < 0 || mkdir_p(dir, 0755, err) < 0 ||
	    (link(helper, bin) < 0 && copy_file(helper, bin, err) < 0) || write_plan(spec, plan, err) < 0)
		goto out;
	struct oci_spec os = {
		.rootfs = spec->rootfs,
		.probe_dir = spec->probe_dir,
		.stage_dir = spec->stage_dir,
		.batch_dir = dir,
		.mounts = spec->mounts,
		.n_mounts = spec->n_mounts,
		.hooks = spec->hooks,
		.n_hooks = spec->n_hooks,
		.env = spec->env,
		.argv = (char *const[]){"/gm-batch/gm-batch", "/gm-batch/plan", NULL},
		.timeout_s = total,
		.capture_max = spec->n * (2 * BATCH_CAPTURE + 256) + 4096,
	};
	struct proc_result res = {0};
	if (oci_run(cfg, &os, &res, err) < 0)
		goto out;
	batch_parse(spec, res.out, res.out_len);
	r = 0;
	/* By length: a program's NUL in the stream must not hide the end. */
	if (!memmem(res.out, res.out_len, "gm-batch: end ", 14) && (spec->n == 0 || !spec->progs[0].ran)) {
		/* Nothing came back: the runtime failed before our helper ran. */
		spec->start_failed = true;
		cleanup_free char *how = proc_describe(&res);
		r = gm_infra(err, 0, "container on '%s' failed (%s): %s", spec->rootfs, how,
			     res.err_len ? str_trim(res.err) : "no message");
	}
	proc_result_release(&res);
out:
	rm_rf(dir, NULL);
	return r;
}
