#define _GNU_SOURCE
#include "container/oci.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/interrupt.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "store/claim.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* The environment every program in a container starts with: nothing of the
 * harness's own leaks in. */
static const char *const container_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LANG=C",
	"HOME=/",
	NULL,
};

/* A program of ours beside the driver (its path from the configuration),
 * when it is there. */
static const char *libexec(const char *path, const char *what, struct gm_err **err)
{
	if (!path_is_file(path)) {
		gm_infra(err, 0, "%s '%s' is missing (make builds it)", what, path);
		return NULL;
	}
	return path;
}

const char *oci_batch_helper(const struct gm_config *cfg, struct gm_err **err)
{
	return libexec(cfg->batch_helper, "the batch helper", err);
}

const char *oci_hook_binary(const struct gm_config *cfg, struct gm_err **err)
{
	return libexec(cfg->hook, "the OCI hook", err);
}

static json_object *jstrv(const char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *mount_json(const char *dst, const char *type, const char *src,
			  const char *const *options)
{
	json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(src));
	json_object_object_add(m, "options", jstrv(options));
	return m;
}

static json_object *rlimit(const char *type, long long n)
{
	json_object *r = json_object_new_object();
	json_object_object_add(r, "type", json_object_new_string(type));
	json_object_object_add(r, "hard", json_object_new_int64(n));
	json_object_object_add(r, "soft", json_object_new_int64(n));
	return r;
}

static json_object *hook_json(const struct oci_hook *h)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(h->argv[0]));
	json_object_object_add(o, "args", jstrv((const char *const *)h->argv));
	if (h->env)
		json_object_object_add(o, "env", jstrv((const char *const *)h->env));
	json_object_object_add(o, "timeout", json_object_new_int(60));
	return o;
}

/* config.json of the OCI runtime spec (1.0.2); root is the overlay's
 * mount point. */
static char *config_json(const struct oci_spec *spec, const char *rootpath)
{
	json_object *c = json_object_new_object();
	json_object_object_add(c, "ociVersion", json_object_new_string("1.0.2"));

	json_object *p = json_object_new_object();
	json_object_object_add(p, "terminal", json_object_new_boolean(0));
	json_object *user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_object_add(p, "args", jstrv((const char *const *)spec->argv));
	json_object *env = jstrv(container_env);
	for (size_t i = 0; spec->env && spec->env[i]; i++)
		json_object_array_add(env, json_object_new_string(spec->env[i]));
	json_object_object_add(p, "env", env);
	json_object_object_add(p, "cwd", json_object_new_string("/"));
	json_object *rl = json_object_new_array();
	json_object_array_add(rl, rlimit("RLIMIT_CORE", 0));
	json_object_array_add(rl, rlimit("RLIMIT_NOFILE", 1024));
	json_object_array_add(rl, rlimit("RLIMIT_FSIZE", 256LL << 20));
	json_object_object_add(p, "rlimits", rl);
	/* No "capabilities": the process has none. */
	json_object_object_add(p, "noNewPrivileges", json_object_new_boolean(1));
	json_object_object_add(c, "process", p);

	json_object *root = json_object_new_object();
	json_object_object_add(root, "path", json_object_new_string(rootpath));
	json_object_object_add(root, "readonly", json_object_new_boolean(1));
	json_object_object_add(c, "root", root);
	json_object_object_add(c, "hostname", json_object_new_string("glibc-matrix"));

	json_object *ms = json_object_new_array();
	json_object_array_add(ms, mount_json("/proc", "proc", "proc",
					(const char *const[]){"nosuid", "noexec", "nodev", NULL}));
	json_object_array_add(ms, mount_json("/dev", "tmpfs", "tmpfs",
					(const char *const[]){"nosuid", "strictatime", "mode=755",
							      "size=65536k", NULL}));
	json_object_array_add(ms, mount_json("/sys", "sysfs", "sysfs",
					(const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL}));
	json_object_array_add(ms, mount_json("/tmp", "tmpfs", "tmpfs",
					(const char *const[]){"nosuid", "nodev", "size=65536k", NULL}));
	static const char *const ro_bind[] = {"rbind", "ro", "nosuid", "nodev", NULL};
	if (spec->probe_dir)
		json_object_array_add(ms, mount_json("/gm", "bind", spec->probe_dir, ro_bind));
	if (spec->stage_dir) {
		json_object_array_add(ms, mount_json("/gm", "tmpfs", "tmpfs",
						(const char *const[]){"nosuid", "nodev", "mode=755",
								      NULL}));
		json_object_array_add(ms, mount_json("/gm-work", "bind", spec->stage_dir, ro_bind));
	}
	if (spec->batch_dir)
		json_object_array_add(ms, mount_json("/gm-batch", "bind", spec->batch_dir, ro_bind));
	for (size_t i = 0; i < spec->n_mounts; i++)
		json_object_array_add(ms, mount_json(spec->mounts[i].dst, "bind", spec->mounts[i].src,
						ro_bind));
	json_object_object_add(c, "mounts", ms);

	if (spec->n_hooks) {
		json_object *hooks = json_object_new_object();
		json_object *cr = json_object_new_array();
		for (size_t i = 0; i < spec->n_hooks; i++)
			json_object_array_add(cr, hook_json(&spec->hooks[i]));
		json_object_object_add(hooks, "createRuntime", cr);
		json_object_object_add(c, "hooks", hooks);
	}

	json_object *linux_ = json_object_new_object();
	json_object *ns = json_object_new_array();
	static const char *const nss[] = {"pid", "network", "ipc", "uts", "mount", NULL};
	for (size_t i = 0; nss[i]; i++) {
		json_object *n = json_object_new_object();
		json_object_object_add(n, "type", json_object_new_string(nss[i]));
		json_object_array_add(ns, n);
	}
	json_object_object_add(linux_, "namespaces", ns);
	/* The container's own cgroup bounds what it runs, as each host cell's
	 * does (exec/contain.h): a fork bomb or a memory hog stays inside. */
	json_object *res = json_object_new_object();
	json_object *pids = json_object_new_object();
	json_object_object_add(pids, "limit", json_object_new_int64(2048));
	json_object_object_add(res, "pids", pids);
	json_object *mem = json_object_new_object();
	json_object_object_add(mem, "limit", json_object_new_int64(1LL << 30));
	json_object_object_add(res, "memory", mem);
	json_object_object_add(linux_, "resources", res);
	json_object_object_add(linux_, "maskedPaths",
			       jstrv((const char *const[]){"/proc/kcore", "/proc/keys",
							   "/proc/timer_list", "/sys/firmware", NULL}));
	json_object_object_add(linux_, "readonlyPaths",
			       jstrv((const char *const[]){"/proc/bus", "/proc/fs", "/proc/irq",
							   "/proc/sys", "/proc/sysrq-trigger", NULL}));
	json_object_object_add(c, "linux", linux_);

	char *text = xstrdup(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(c);
	return text;
}

/* The container's / : an overlay of the shared tree (never written) and an
 * upper layer in the bundle, mounted at bundle/root in our own mount
 * namespace for the life of the container. */
static int overlay_mount(const char *lower, const char *bundle, struct gm_err **err)
{
	if (strpbrk(lower, ",:") || strpbrk(bundle, ",:"))
		return gm_usage(err, "'%s': overlay paths cannot hold ',' or ':'",
				strpbrk(lower, ",:") ? lower : bundle);
	cleanup_free char *upper = path_join(bundle, "upper");
	cleanup_free char *work = path_join(bundle, "work");
	cleanup_free char *root = path_join(bundle, "root");
	if (mkdir_p(upper, 0755, err) < 0 || mkdir_p(work, 0700, err) < 0 ||
	    mkdir_p(root, 0755, err) < 0)
		return -1;
	cleanup_free char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (mount("overlay", root, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		return gm_infra(err, errno, "cannot mount an overlay of '%s' at '%s'", lower, root);
	return 0;
}

/* Unmounts bundle/root (if mounted) and removes the bundle. */
static int bundle_remove(const char *bundle, struct gm_err **err)
{
	cleanup_free char *root = path_join(bundle, "root");
	/* Detach: the runtime's last process may still hold it for a moment. */
	while (umount2(root, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
		;
	return rm_rf(bundle, err);
}

/* The runtime's state directory, given as --root to every call so that
 * the one left writable is surely the one it uses: each runtime's own
 * default for root, so `runc list` still shows our containers. */
static const char *state_dir(const char *runtime)
{
	const char *base = strrchr(runtime, '/');
	return strstr(base ? base + 1 : runtime, "crun") ? "/run/crun" : "/run/runc";
}

/* The runtime and the hooks it starts run as root where the host is
 * read-only (exec/confine.h): a hook under test must not be able to damage
 * the machine that tests it.  rw gets what stays writable, each because a
 * container cannot start without writes there (runc 1.1 refuses to start
 * without either of the first two; glibc-inject's mount points and
 * ld.so.cache, and any hook's files in the root, need the third).  /proc
 * stays read-only: runc writes nothing there for our config.json, and
 * /proc/sys and /proc/sysrq-trigger are the whole machine's. */
static int confinement(const char *runtime, const char *bundles, const char *rw[4],
		       struct gm_err **err)
{
	if (mkdir_p(state_dir(runtime), 0700, err) < 0)
		return -1;
	rw[0] = state_dir(runtime); /* the container's state: <root>/<id>/state.json */
	rw[1] = "/sys/fs/cgroup";   /* the container's cgroups, created and removed */
	rw[2] = bundles;            /* the overlay's upper layer: the container's root */
	rw[3] = NULL;
	return 0;
}

/* runc and crun share these verbs: run --bundle B ID, delete --force ID. */
static void runtime_delete(const struct gm_config *cfg, const char *runtime, const char *id)
{
	const char *rw[4];
	cleanup_free char *bundles = NULL;
	struct gm_err *e = NULL;
	if (store_dir(cfg, "bundles", &bundles, &e) < 0 || confinement(runtime, bundles, rw, &e) < 0) {
		gm_err_free(&e);
		return;
	}
	struct proc_spec spec = {
		.argv = (char *const[]){(char *)runtime, "--root", (char *)state_dir(runtime),
					"delete", "--force", (char *)id, NULL},
		.timeout_s = 30,
		.stdin_fd = -1,
		.ignore_interrupt = true,
		.writable = rw,
	};
	struct proc_result res = {0};
	if (proc_run(&spec, &res, &e) == 0)
		proc_result_release(&res);
	gm_err_free(&e);
}

static int run_with(const struct gm_config *cfg, const char *runtime, const struct oci_spec *spec, struct proc_result *res,
		    struct gm_err **err)
{
	static unsigned counter;
	cleanup_free char *bundles = NULL;
	if (store_dir(cfg, "bundles", &bundles, err) < 0)
		return -1;
	cleanup_free char *id = xasprintf(OCI_ID_PREFIX "%d-%u", (int)getpid(),
					   __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	cleanup_free char *bundle = path_join(bundles, id);
	cleanup_free char *config = path_join(bundle, "config.json");
	cleanup_free char *root = path_join(bundle, "root");
	cleanup_free char *text = config_json(spec, root);
	const char *rw[4];
	if (confinement(runtime, bundles, rw, err) < 0)
		return -1;
	if (rm_rf(bundle, err) < 0 || mkdir_p(bundle, 0700, err) < 0 ||
	    write_file_atomic(config, text, strlen(text), 0600, err) < 0 ||
	    overlay_mount(spec->rootfs, bundle, err) < 0) {
		rm_rf(bundle, NULL);
		return -1;
	}
	struct proc_spec ps = {
		.argv = (char *const[]){(char *)runtime, "--root", (char *)state_dir(runtime), "run",
					"--bundle", bundle, id, NULL},
		.timeout_s = spec->timeout_s,
		.capture_max = spec->capture_max,
		.stdin_fd = -1,
		.sweep_orphans = true,
		.writable = rw,
	};
	int r = proc_run(&ps, res, err);
	/* A killed runtime leaves its container (and cgroups) behind; one
	 * that ended by itself removed it, and its state with it (`run`
	 * deletes what it created, also when it failed): a delete, one more
	 * runtime process, only when the state is still there. */
	cleanup_free char *state = path_join(state_dir(runtime), id);
	if (path_exists(state))
		runtime_delete(cfg, runtime, id);
	struct gm_err *e = NULL;
	if (bundle_remove(bundle, &e) < 0 && r == 0) {
		proc_result_release(res);
		*err = e;
		return -1;
	}
	gm_err_free(&e);
	if (r == 0 && res->interrupted) {
		proc_result_release(res);
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "container run interrupted");
	}
	if (r == 0 && spec->ret_id)
		snprintf(spec->ret_id, OCI_ID_MAX, "%s", id);
	return r;
}

/* The pid in a bundle name "gm-<pid>-<n>", "batch-<pid>-<n>" or
 * "probe-<pid>"; 0 for other names. */
static int owner_pid(const char *name)
{
	static const char *const prefixes[] = {OCI_ID_PREFIX, "batch-", "probe-", NULL};
	for (size_t i = 0; prefixes[i]; i++)
		if (str_starts(name, prefixes[i]))
			return atoi(name + strlen(prefixes[i]));
	return 0;
}

/* A harness killed with SIGKILL cannot clean up: its runtime dies with it
 * (PR_SET_PDEATHSIG) but the container, its cgroups and its bundle stay.
 * The next run deletes those whose owner is dead; a live owner's are left
 * alone (two harnesses share a store).  Alive is a claim on the store held
 * by a process of that number (store/claim.h), wherever its pid namespace
 * is, or that pid alive here (a harness without claims). */
static void sweep_stale(const struct gm_config *cfg, const char *runtime)
{
	cleanup_free char *bundles = NULL;
	struct gm_err *e = NULL;
	if (store_dir(cfg, "bundles", &bundles, &e) < 0) {
		gm_err_free(&e);
		return;
	}
	DIR *d = opendir(bundles);
	if (!d)
		return;
	struct dirent *ent;
	while ((ent = readdir(d))) {
		int pid = owner_pid(ent->d_name);
		if (pid <= 0 || pid == getpid() || store_pid_claimed(cfg, pid) || kill(pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (str_starts(ent->d_name, OCI_ID_PREFIX))
			runtime_delete(cfg, runtime, ent->d_name);
		cleanup_free char *path = path_join(bundles, ent->d_name);
		bundle_remove(path, NULL);
	}
	closedir(d);
}

/* Finds runtime in PATH unless it holds a '/'. */
static char *which(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(d, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* A trivial container: an empty tree, our helper with an empty plan. */
static int try_runtime(const struct gm_config *cfg, const char *runtime, struct strbuf *why, struct gm_err **err)
{
	const char *helper = oci_batch_helper(cfg, err);
	if (!helper)
		return -1;
	cleanup_free char *tmp = NULL;
	if (store_dir(cfg, "bundles", &tmp, err) < 0)
		return -1;
	cleanup_free char *dir = xasprintf("%s/probe-%d", tmp, (int)getpid());
	cleanup_free char *root = path_join(dir, "root");
	cleanup_free char *batch = path_join(dir, "batch");
	cleanup_free char *bin = path_join(batch, "gm-batch");
	cleanup_free char *plan = path_join(batch, "plan");
	int r = -1;
	if (rm_rf(dir, err) < 0 || mkdir_p(batch, 0755, err) < 0)
		goto out;
	static const char *const dirs[] = {"proc", "dev", "sys", "tmp", "gm-batch", NULL};
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *d = path_join(root, dirs[i]);
		if (mkdir_p(d, 0755, err) < 0)
			goto out;
	}
	if (copy_file(helper, bin, err) < 0 || write_file_atomic(plan, "", 0, 0644, err) < 0)
		goto out;
	struct oci_spec spec = {
		.rootfs = root,
		.batch_dir = batch,
		.argv = (char *const[]){"/gm-batch/gm-batch", "/gm-batch/plan", NULL},
		.timeout_s = 30,
		.capture_max = 4096,
	};
	struct proc_result res = {0};
	if (run_with(cfg, runtime, &spec, &res, err) < 0)
		goto out;
	r = 0;
	if (res.exit_code != 0 || !strstr(res.out, "gm-batch: end 0")) {
		cleanup_free char *how = proc_describe(&res);
		char *nl = strchr(res.err, '\n');
		if (nl)
			*nl = '\0';
		strbuf_addf(why, "%s%s: %s%s%s", why->len ? "; " : "", runtime, how,
			    *res.err ? ": " : "", res.err);
		r = 1;
	}
	proc_result_release(&res);
out:
	rm_rf(dir, NULL);
	return r;
}

static int runtime_locked(const struct gm_config *cfg, const char **ret_path, struct gm_err **err)
{
	static char *verdict, *failure;
	/* Our bundles are ours while we live: the claim says so to others. */
	if (!verdict && !failure && store_claim(cfg, NULL, err) < 0)
		return -1;
	if (!verdict && !failure) {
		const char *const defaults[] = {"runc", "crun", NULL};
		const char *const only[] = {cfg->oci_runtime, NULL};
		const char *const *cands = cfg->oci_runtime ? only : defaults;
		struct strbuf why = STRBUF_INIT;
		for (size_t i = 0; cands[i] && !verdict; i++) {
			char *path = which(cands[i]);
			if (!path) {
				strbuf_addf(&why, "%s%s: not installed", why.len ? "; " : "", cands[i]);
				continue;
			}
			int r = try_runtime(cfg, path, &why, err);
			if (r < 0) {
				free(path);
				strbuf_release(&why);
				return -1; /* ours, not the runtime's: not cached */
			}
			if (r == 0)
				verdict = path;
			else
				free(path);
		}
		if (!verdict)
			failure = strbuf_detach(&why);
		else
			sweep_stale(cfg, verdict);
		strbuf_release(&why);
	}
	if (!verdict)
		return gm_err_set(err, GM_EXIT_SKIP, 0, "no OCI runtime works here (%s)", failure);
	*ret_path = verdict;
	return 0;
}

/* Container groups start in parallel (matrix/groups.c): one of them
 * probes the runtimes, the others wait for its verdict. */
int oci_runtime(const struct gm_config *cfg, const char **ret_path, struct gm_err **err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	int r = runtime_locked(cfg, ret_path, err);
	pthread_mutex_unlock(&lock);
	return r;
}

int oci_run(const struct gm_config *cfg, const struct oci_spec *spec, struct proc_result *res, struct gm_err **err)
{
	const char *runtime;
	if (oci_runtime(cfg, &runtime, err) < 0)
		return -1;
	return run_with(cfg, runtime, spec, res, err);
}

/* Characters that end a path in a message: quoting (also runc's \"
 * escapes), spaces, separators. */
static bool path_end(char ch)
{
	return !ch || strchr(" \t\n'\"`\\,;()", ch);
}

/* The path right after "Read-only file system: " (Python's OSError) or
 * right before ": Read-only file system" (sh: "cannot create /x: ...",
 * coreutils: "'/x': ..."); "" when neither is one. */
static char *refused_path(const char *msg, const char *hit, size_t hit_len)
{
	const char *a = hit + hit_len;
	if (str_starts(a, ": ")) {
		for (a += 2; *a && strchr("'\"\\", *a); a++)
			;
		const char *e = a;
		while (!path_end(*e))
			e++;
		if (*a == '/')
			return xstrndup(a, (size_t)(e - a));
	}
	const char *e = hit;
	if (e - msg >= 2 && e[-2] == ':' && e[-1] == ' ')
		e -= 2;
	while (e > msg && strchr("'\"\\", e[-1]))
		e--;
	const char *b = e;
	while (b > msg && !path_end(b[-1]))
		b--;
	return *b == '/' && b < e ? xstrndup(b, (size_t)(e - b)) : xstrdup("");
}

char *oci_hook_wrote_host(const char *msg)
{
	static const char rofs[] = "Read-only file system";
	const char *hook = strstr(msg, "hook");
	const char *hit = hook ? strstr(hook, rofs) : NULL;
	return hit ? refused_path(msg, hit, strlen(rofs)) : NULL;
}
