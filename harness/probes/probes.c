#define _GNU_SOURCE
#include "probes/probes.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "exec/pool.h"
#include "exec/proc.h"
#include "store/store.h"
#include "probes/toolchain.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/util.h"

#include <errno.h>
#include <json.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct job {
	const struct gm_ctx *ctx;
	const struct sysroot *sys;
	size_t n_sys;
	const struct gm_case *const *cs;
	size_t n_cases;
	struct toolchain *tc;      /* [sys][lang] */
	char *compiler;            /* `cc --version` first line, for the key */
	char *common_hash;         /* sha256 of common/probe.[ch] */
	struct probe *out;
	pthread_mutex_t lock;
	struct gm_err *err;        /* first infrastructure error */
};

/* A flag naming a file (-specs=FILE) counts by the file's content, not
 * its path: the same checkout's data moved elsewhere keeps its probes. */
static void hash_strv(struct strbuf *text, const char *tag, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		char h[65];
		if (str_starts(v[i], "-specs=") && sha256_file(v[i] + strlen("-specs="), h, NULL) == 0)
			strbuf_addf(text, "%s -specs=%s\n", tag, h);
		else
			strbuf_addf(text, "%s %s\n", tag, v[i]);
	}
}

static char *file_hash(const char *dir, const char *rel)
{
	cleanup_free char *p = path_join(dir, rel);
	char h[65];
	if (sha256_file(p, h, NULL) < 0)
		return xstrdup("missing");
	return xstrdup(h);
}

static void probe_key(struct job *j, const struct sysroot *s, const struct gm_case *c,
		      const struct toolchain *t, char out[65])
{
	const char *dir = j->ctx->cfg->cases;
	struct strbuf text = STRBUF_INIT;
	strbuf_addf(&text, "glibc-matrix probe v1\nsysroot %s %s\ncase %s %s\ncompiler %s\n"
			   "common %s\nmin %s\n",
		    s->name, s->cache_key, c->name, c->cxx ? "c++" : "c",
		    t->version ? t->version : j->compiler,
		    j->common_hash, c->min_glibc ? c->min_glibc : "-");
	if (c->portable)
		strbuf_addf(&text, "portable\n");
	for (size_t i = 0; c->sources[i]; i++) {
		cleanup_free char *h = file_hash(dir, c->sources[i]);
		strbuf_addf(&text, "source %s %s\n", c->sources[i], h);
	}
	if (c->plugin) {
		cleanup_free char *h = file_hash(dir, c->plugin);
		strbuf_addf(&text, "plugin %s %s\n", c->plugin, h);
	}
	if (c->library) {
		cleanup_free char *h = file_hash(dir, c->library);
		strbuf_addf(&text, "library %s %s\n", c->library, h);
	}
	hash_strv(&text, "cflag", c->cflags);
	hash_strv(&text, "ldflag", c->ldflags);
	hash_strv(&text, "pflag", c->plugin_cflags);
	hash_strv(&text, "tc", t->cflags);
	hash_strv(&text, "tl", t->ldflags);
	sha256_buf(strbuf_str(&text), text.len, out);
	strbuf_release(&text);
}

/* Runs one compiler command; on failure *reason gets the tail of its output. */
static int compile(char **argv, const char *cwd, char **reason, struct gm_err **err)
{
	struct proc_spec spec = {.argv = argv, .cwd = cwd, .capture_max = 1 << 16,
				 .merge_stderr = true, .log_fd = -1, .stdin_fd = -1,
				 .timeout_s = 300};
	struct proc_result res;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = 0;
	if (res.interrupted) {
		r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted while compiling probes");
	} else if (res.exec_failed) {
		r = gm_infra(err, res.exec_errno, "cannot run the compiler '%s'", argv[0]);
	} else if (res.exit_code != 0 || res.signal || res.timed_out) {
		cleanup_free char *how = proc_describe(&res);
		/* The first error line says most; keep it short. */
		const char *e = strstr(res.out, "error:");
		size_t n = e ? strcspn(e, "\n") : strcspn(res.out, "\n");
		*reason = xasprintf("compiler %s: %.*s", how, (int)(n > 300 ? 300 : n), e ? e : res.out);
	}
	proc_result_release(&res);
	return r;
}

static void push_all(char ***argv, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		strv_push(argv, v[i]);
}

static int write_build_json(const char *dir, const struct probe *p, char *const *cmd,
			    struct gm_err **err)
{
	json_object *o = json_object_new_object();
	json_object *a = json_object_new_array();
	json_object_object_add(o, "case", json_object_new_string(p->kase->name));
	json_object_object_add(o, "sysroot", json_object_new_string(p->build->name));
	json_object_object_add(o, "status", json_object_new_string(p->status == PROBE_BUILT ? "built"
									 : "failed"));
	json_object_object_add(o, "reason", json_object_new_string(p->reason ? p->reason : ""));
	for (size_t i = 0; cmd && cmd[i]; i++)
		json_object_array_add(a, json_object_new_string(cmd[i]));
	json_object_object_add(o, "command", a);
	cleanup_free char *path = path_join(dir, "build.json");
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	int r = write_file_atomic(path, text, strlen(text), 0644, err);
	json_object_put(o);
	return r;
}

/* A cached build: status and reason from build.json. */
static bool read_cached(const char *dir, struct probe *p)
{
	cleanup_free char *path = path_join(dir, "build.json");
	json_object *o = json_object_from_file(path), *v;
	if (!o)
		return false;
	/* A record we did not write ("status": null gave strcmp a NULL and a
	 * crash) is no cache hit: the probe is built again. */
	if (!json_object_object_get_ex(o, "status", &v) || !json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		return false;
	}
	bool built = strcmp(json_object_get_string(v), "built") == 0;
	p->status = built ? PROBE_BUILT : PROBE_FAILED;
	if (!built && json_object_object_get_ex(o, "reason", &v) &&
	    json_object_is_type(v, json_type_string))
		p->reason = xstrdup(json_object_get_string(v));
	json_object_put(o);
	p->cached = true;
	return true;
}

static int build_one(struct job *j, struct probe *p, const struct toolchain *t,
		     struct gm_err **err)
{
	const struct gm_case *c = p->kase;
	const char *cdir = j->ctx->cfg->cases;
	char key[65];
	cleanup_free char *parent = NULL;
	cleanup_free char *sub = xasprintf("probes/%s", p->build->name);

	probe_key(j, p->build, c, t, key);
	if (store_dir(j->ctx->cfg, sub, &parent, err) < 0)
		return -1;
	p->dir = xasprintf("%s/%s-%.16s", parent, c->name, key);
	p->binary = path_join(p->dir, "probe");
	if (read_cached(p->dir, p))
		return 0;

	cleanup_free char *tmp = xasprintf("%s.tmp.%d.%lx", p->dir, (int)getpid(),
					   (unsigned long)pthread_self());
	cleanup_free char *common = path_join(cdir, "common");
	cleanup_free char *probe_c = path_join(common, "probe.c");
	cleanup_free char *out = path_join(tmp, "probe");
	cleanup_free char *lib = path_join(tmp, PROBE_LIBRARY);
	cleanup_strv char **cmd = NULL;
	char *reason = NULL;
	int r;

	rm_rf(tmp, NULL);
	if (mkdir_p(tmp, 0755, err) < 0)
		return -1;
	if (c->plugin) {
		cleanup_strv char **pcmd = NULL;
		cleanup_free char *src = path_join(cdir, c->plugin);
		cleanup_free char *so = path_join(tmp, "plugin.so");
		strv_push(&pcmd, t->cc);
		push_all(&pcmd, t->cflags);
		strv_push(&pcmd, "-I");
		strv_push(&pcmd, common);
		push_all(&pcmd, c->plugin_cflags);
		strv_push(&pcmd, "-fPIC");
		strv_push(&pcmd, "-shared");
		strv_push(&pcmd, "-o");
		strv_push(&pcmd, so);
		strv_push(&pcmd, src);
		push_all(&pcmd, t->ldflags);
		if (compile(pcmd, tmp, &reason, err) < 0)
			goto fail;
	}
	if (c->library && !reason) {
		cleanup_strv char **lcmd = NULL;
		cleanup_free char *src = path_join(cdir, c->library);
		strv_push(&lcmd, t->cc);
		push_all(&lcmd, t->cflags);
		strv_push(&lcmd, "-fPIC");
		strv_push(&lcmd, "-shared");
		strv_push(&lcmd, "-Wl,-soname," PROBE_LIBRARY);
		strv_push(&lcmd, "-o");
		strv_push(&lcmd, lib);
		strv_push(&lcmd, src);
		push_all(&lcmd, t->ldflags);
		if (compile(lcmd, tmp, &reason, err) < 0)
			goto fail;
	}
	strv_push(&cmd, t->cc);
	push_all(&cmd, t->cflags);
	strv_push(&cmd, "-I");
	strv_push(&cmd, common);
	push_all(&cmd, c->cflags);
	strv_push(&cmd, "-o");
	strv_push(&cmd, out);
	for (size_t i = 0; c->sources[i]; i++)
		strv_push_take(&cmd, path_join(cdir, c->sources[i]));
	if (c->cxx)
		strv_push(&cmd, "-xc");
	strv_push(&cmd, probe_c);
	if (c->cxx)
		strv_push(&cmd, "-xnone");
	if (c->library)
		strv_push(&cmd, lib);
	push_all(&cmd, t->ldflags);
	push_all(&cmd, c->ldflags);
	if (!reason && compile(cmd, tmp, &reason, err) < 0)
		goto fail;
	p->status = reason ? PROBE_FAILED : PROBE_BUILT;
	p->reason = reason;
	if (reason)
		unlink(out);
	if (write_build_json(tmp, p, cmd, err) < 0)
		goto fail;
	if (rename(tmp, p->dir) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
		gm_infra(err, errno, "cannot rename '%s' to '%s'", tmp, p->dir);
		goto fail;
	}
	rm_rf(tmp, NULL); /* lost a race with another builder: theirs is equal */
	return 0;
fail:
	r = -1;
	rm_rf(tmp, NULL);
	return r;
}

static void task(void *ctx, size_t i)
{
	struct job *j = ctx;
	struct probe *p = &j->out[i];
	size_t si = i / j->n_cases;
	struct gm_err *err = NULL;

	if (p->kase->min_glibc && version_cmp(p->build->glibc_version, p->kase->min_glibc) < 0) {
		p->status = PROBE_UNAVAILABLE;
		p->reason = xasprintf("needs the headers of glibc >= %s", p->kase->min_glibc);
		return;
	}
	if (build_one(j, p, &j->tc[si * 3 + (p->kase->cxx ? 1 + p->kase->portable : 0)], &err) < 0) {
		pool_keep_error(&j->err, err, &j->lock);
	}
}


int probes_build(const struct gm_ctx *ctx, const struct sysroot *sys, size_t n_sys,
		 const struct gm_case *const *cs, size_t n_cases, int jobs, struct probe **ret,
		 struct gm_err **err)
{
	struct job j = {.ctx = ctx, .sys = sys, .n_sys = n_sys, .cs = cs, .n_cases = n_cases};
	size_t n = n_sys * n_cases;
	int r = 0;

	j.out = xcalloc(n ? n : 1, sizeof(*j.out));
	/* Per sysroot: C, C++, C++ as --portable builds it (cases.ini portable). */
	j.tc = xcalloc(n_sys * 3 + 1, sizeof(*j.tc));
	bool portable = false;
	for (size_t i = 0; i < n_cases; i++)
		portable |= cs[i]->cxx && cs[i]->portable;
	pthread_mutex_init(&j.lock, NULL);
	if (compiler_version(&j.compiler, err) < 0)
		r = -1;
	if (r == 0) {
		cleanup_free char *dir = path_join(ctx->cfg->cases, "common");
		cleanup_free char *a = file_hash(dir, "probe.c");
		cleanup_free char *b = file_hash(dir, "probe.h");
		j.common_hash = xasprintf("%s %s", a, b);
	}
	for (size_t s = 0; r == 0 && s < n_sys; s++)
		for (int lang = 0; r == 0 && lang < (portable ? 3 : 2); lang++)
			r = toolchain_for(ctx->cfg, &sys[s], lang > 0, lang == 2 ? TOOLCHAIN_PORTABLE : TOOLCHAIN_PROBE,
					  &j.tc[s * 3 + lang], err);
	for (size_t i = 0; i < n; i++) {
		j.out[i].build = &sys[i / n_cases];
		j.out[i].kase = cs[i % n_cases];
	}
	if (r == 0) {
		pool_run(n, jobs, task, &j);
		if (j.err) {
			*err = j.err;
			r = -1;
		} else if (interrupted()) {
			r = gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted while building probes");
		}
	}
	for (size_t s = 0; s < n_sys * 3; s++)
		toolchain_release(&j.tc[s]);
	free(j.tc);
	free(j.compiler);
	free(j.common_hash);
	pthread_mutex_destroy(&j.lock);
	if (r < 0) {
		probes_free(j.out, n);
		return -1;
	}
	*ret = j.out;
	return 0;
}

void probes_free(struct probe *p, size_t n)
{
	/* NULL after a failed probes_build, whatever n the caller planned. */
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].dir);
		free(p[i].binary);
		free(p[i].reason);
	}
	free(p);
}
