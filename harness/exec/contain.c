#define _GNU_SOURCE
#include "exec/contain.h"
#include "exec/contain-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_PREFIX "glibc-matrix-"
/* v1 hierarchies we use, in this order; freezer is optional. */
enum { H_PIDS, H_MEMORY, H_FREEZER, H_COUNT };
static const char *const v1_names[H_COUNT] = {"pids", "memory", "freezer"};

static struct {
	bool ready;   /* contain_setup ran (on the main thread, before the pool) */
	enum contain_mode mode;
	char *reason;
	long memory, pids;
	/* v1: one per hierarchy (NULL: unused); v2: run[0] only. */
	char *base[H_COUNT];  /* our own cgroup: where run groups live */
	char *run[H_COUNT];   /* base/glibc-matrix-<pid> */
	int run_fd[H_COUNT];  /* run[h] open and flock()ed while we live; -1 */
	size_t stale_groups, stale_procs;
	unsigned long next_cell;
	pthread_mutex_t lock;   /* next_cell, idle */
	/* Cell groups of finished cells, empty, kept for the next cells: a
	 * group made and removed per cell cost three mkdir, three rmdir and
	 * the limits written again, each time (issue 22). */
	struct contain_cell **idle;
	size_t n_idle, cap_idle;
} st = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.run_fd = {-1, -1, -1}};

struct contain_cell {
	char *dir[H_COUNT];
	int procs_fd[H_COUNT];
	bool killed;
	bool empty;          /* seen empty after its cell ended: stays so */
	long oom_base;       /* the group's OOM kills before this cell */
	long oom_seen;       /* what contain_cell_oom read, if oom_read */
	bool oom_read;
};

static int write_str(const char *dir, const char *file, const char *s)
{
	cleanup_free char *p = path_join(dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, s, strlen(s));
	int e = w < 0 ? errno : 0;
	close(fd);
	return -e;
}

/* The start of dir/file into buf (NUL-terminated); its length, or -1.
 * One open, read and close: these are kernfs files read per cell. */
static ssize_t read_small(const char *dir, const char *file, char *buf, size_t size)
{
	char p[4096];
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, file) >= sizeof(p))
		return -1;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static char *read_str(const char *dir, const char *file)
{
	cleanup_free char *p = path_join(dir, file);
	char *s = NULL;
	size_t n;
	return read_file(p, &s, &n, NULL) < 0 ? NULL : s;
}

/* Our own path in hierarchy name ("" for v2's "0::"), from /proc/self/cgroup:
 * lines "id:controller,controller:path". */
static char *own_path(const char *name)
{
	cleanup_free char *text = NULL;
	size_t n;
	if (read_file("/proc/self/cgroup", &text, &n, NULL) < 0)
		return NULL;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctl = c1 + 1;
		if (!*name && !*ctl)
			return xstrdup(c2 + 1);
		for (char *save2 = NULL, *t = strtok_r(c1 + 1, ",", &save2); *name && t;
		     t = strtok_r(NULL, ",", &save2))
			if (strcmp(t, name) == 0)
				return xstrdup(c2 + 1);
	}
	return NULL;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

struct contain_cell;
static void group_remove(struct contain_cell *c);

/* Kills every process listed in dir/cgroup.procs; the number killed. */
static size_t kill_listed(const char *dir)
{
	cleanup_free char *procs = read_str(dir, "cgroup.procs");
	size_t n = 0;
	for (char *p = procs; p && *p;) {
		char *end;
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && pid != getpid() && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		p = end;
		while (*p == '\n')
			p++;
	}
	return n;
}

static bool group_empty(const char *dir)
{
	char buf[16];
	return read_small(dir, "cgroup.procs", buf, sizeof(buf)) <= 0;
}

/* Freezes (so a fork bomb cannot outrun us), kills all, thaws (a frozen
 * task dies only once thawed); with wait, then waits (bounded: 5 s) for
 * the group to empty, reaping the members re-parented to us.  Returns how
 * many were killed. */
static size_t kill_group_dir(const char *dir, const char *freezer, bool v2, bool wait)
{
	size_t n = 0;
	/* The common case, a cell that left nothing: no freezing round trip. */
	if (group_empty(dir))
		return 0;
	if (v2 && write_str(dir, "cgroup.kill", "1") == 0)
		n = 1;
	if (freezer) {
		write_str(freezer, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "1" : "FROZEN");
		for (int i = 0; i < 100; i++) {
			cleanup_free char *s = read_str(freezer, v2 ? "cgroup.events" : "freezer.state");
			if (!s || strstr(s, v2 ? "frozen 1" : "FROZEN"))
				break;
			usleep(10000);
		}
	}
	n += kill_listed(dir);
	if (freezer)
		write_str(freezer, v2 ? "cgroup.freeze" : "freezer.state", v2 ? "0" : "THAWED");
	for (int i = 0; wait && i < 500 && !group_empty(dir); i++) {
		kill_listed(dir);
		contain_sweep(false);
		usleep(10000);
	}
	return n;
}

static void rmdir_retry(const char *dir)
{
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++) {
		contain_sweep(false);
		usleep(10000);
	}
}


/* The name of our run group: pid and start time (field 22 of stat), so a
 * later process that got the pid of a dead run is not taken for its owner,
 * whatever its name. */
static char *run_name(void)
{
	unsigned long long start = 0;
	char state;
	contain_stat_fields(getpid(), &state, &start);
	return xasprintf(RUN_PREFIX "%d-%llu", (int)getpid(), start);
}

/* Is the owner of run group name (pid-start) alive? */
static bool owner_alive(const char *name)
{
	char *end;
	long pid = strtol(name + strlen(RUN_PREFIX), &end, 10);
	if (pid <= 0 || *end != '-')
		return true; /* not a name of ours: leave it alone */
	unsigned long long want = strtoull(end + 1, &end, 10), start = 0;
	char state;
	if (*end)
		return true;
	return contain_stat_fields(pid, &state, &start) && state != 'Z' && state != 'X' && start == want;
}

/* Holds an flock on our run group dir for as long as we live (the fd dies
 * with us): a harness in another pid namespace, where our pid names
 * nothing or another process, sees the group is in use. */
static int hold_run(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Is run group dir held by a live harness (its flock)?  A harness of an
 * older build holds none: owner_alive still speaks for it. */
static bool held(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

/* Removes the run groups below base whose owner is dead (neither its pid
 * and start time nor its flock says it lives): their cells' processes are
 * killed first (freezer: the same group in that hierarchy). */
static void clean_stale(const char *base, const char *freezer_base, bool v2)
{
	DIR *d = opendir(base);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!str_starts(e->d_name, RUN_PREFIX) || owner_alive(e->d_name))
			continue;
		cleanup_free char *run = path_join(base, e->d_name);
		if (held(run))
			continue;
		DIR *cd = opendir(run);
		struct dirent *ce;
		while (cd && (ce = readdir(cd))) {
			if (!str_starts(ce->d_name, "cell-"))
				continue;
			cleanup_free char *cell = path_join(run, ce->d_name);
			cleanup_free char *fz = freezer_base ? xasprintf("%s/%s/%s", freezer_base,
								       e->d_name, ce->d_name) : NULL;
			st.stale_procs += kill_group_dir(cell, fz && path_is_dir(fz) ? fz : NULL, v2, true);
			rmdir_retry(cell);
		}
		if (cd)
			closedir(cd);
		if (!group_empty(run))
			st.stale_procs += kill_group_dir(run, NULL, v2, true);
		rmdir_retry(run);
		if (!path_exists(run))
			st.stale_groups++;
	}
	closedir(d);
}

static int setup_v2(void)
{
	const char *mnt = path_exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
		       : "/sys/fs/cgroup/unified";
	cleanup_free char *own = own_path("");
	if (!own || !path_exists(mnt))
		return -1;
	cleanup_free char *base = xasprintf("%s%s", mnt, own);
	cleanup_free char *ctl = read_str(base, "cgroup.controllers");
	if (!ctl || !word_in(ctl, "pids") || !word_in(ctl, "memory")) {
		st.reason = xasprintf("cgroup v2 %s: controllers '%s' lack pids or memory", base,
				      ctl ? str_trim(ctl) : "?");
		return -1;
	}
	/* The run group must own the controllers for its cells; only a group
	 * without processes of its own (or the root) may hand them down. */
	int e = write_str(base, "cgroup.subtree_control", "+pids +memory");
	st.base[0] = xstrdup(base);
	cleanup_free char *name = run_name();
	st.run[0] = path_join(base, name);
	clean_stale(base, base, true);
	if (e < 0 || (mkdir(st.run[0], 0755) < 0 && errno != EEXIST) ||
	    (e = write_str(st.run[0], "cgroup.subtree_control", "+pids +memory")) < 0) {
		free(st.reason);
		st.reason = xasprintf("cgroup v2 %s: cannot delegate pids and memory: %s", base,
				      strerror(e < 0 ? -e : errno));
		rmdir(st.run[0]);
		free(st.run[0]);
		st.run[0] = NULL;
		return -1;
	}
	st.run_fd[0] = hold_run(st.run[0]);
	return 0;
}

static int setup_v1(void)
{
	char *why = NULL;
	for (int h = 0; h < H_COUNT; h++) {
		cleanup_free char *own = own_path(v1_names[h]);
		cleanup_free char *mnt = xasprintf("/sys/fs/cgroup/%s", v1_names[h]);
		cleanup_free char *base = own ? xasprintf("%s%s", mnt, strcmp(own, "/") ? own : "") : NULL;
		if (!base || !path_is_dir(base)) {
			if (!why && h != H_FREEZER)
				why = xasprintf("no cgroup v1 %s hierarchy at %s", v1_names[h], mnt);
			continue;
		}
		st.base[h] = xstrdup(base);
	}
	for (int h = 0; h < H_COUNT; h++)
		if (st.base[h])
			clean_stale(st.base[h], h == H_FREEZER ? NULL : st.base[H_FREEZER], false);
	for (int h = 0; h < H_COUNT && !why; h++) {
		if (!st.base[h])
			continue;
		cleanup_free char *name = run_name();
		char *run = path_join(st.base[h], name);
		if (mkdir(run, 0755) < 0 && errno != EEXIST) {
			if (h != H_FREEZER)
				why = xasprintf("cannot create %s: %s", run, strerror(errno));
			free(run);
			continue;
		}
		st.run[h] = run;
		st.run_fd[h] = hold_run(run);
	}
	if (!why && (!st.run[H_PIDS] || !st.run[H_MEMORY]))
		why = xstrdup("cgroup v1 pids or memory hierarchy missing");
	if (why) {
		for (int h = 0; h < H_COUNT; h++)
			if (st.run[h]) {
				rmdir(st.run[h]);
				free(st.run[h]);
				st.run[h] = NULL;
			}
		free(st.reason);
		st.reason = why;
		return -1;
	}
	return 0;
}

static void setup_once(const struct gm_config *cfg)
{
	st.memory = cfg->cell_memory;
	st.pids = cfg->cell_pids;
	/* Orphans of cells (setsid + double fork) come back to us, not to
	 * init, so the sweep can find them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	st.mode = CONTAIN_RLIMIT;
	if (cfg->rlimit_only) {
		st.reason = xstrdup("GLIBC_MATRIX_CONTAINMENT=rlimit-only");
	} else if (setup_v2() == 0) {
		st.mode = CONTAIN_CGROUP_V2;
	} else if (setup_v1() == 0) {
		st.mode = CONTAIN_CGROUP_V1;
		free(st.reason);
		st.reason = NULL;
	}
	if (!st.reason)
		st.reason = xstrdup("");
}

void contain_setup(const struct gm_config *cfg)
{
	if (st.ready)
		return;
	st.ready = true;
	setup_once(cfg);
}

void contain_teardown(void)
{
	pthread_mutex_lock(&st.lock);
	struct contain_cell **idle = st.idle;
	size_t n = st.n_idle;
	st.idle = NULL;
	st.n_idle = st.cap_idle = 0;
	pthread_mutex_unlock(&st.lock);
	for (size_t i = 0; i < n; i++)
		group_remove(idle[i]);
	free(idle);
	for (int h = 0; h < H_COUNT; h++) {
		if (st.run[h]) {
			rmdir_retry(st.run[h]);
			free(st.run[h]);
			st.run[h] = NULL;
		}
		if (st.run_fd[h] >= 0) {
			close(st.run_fd[h]);
			st.run_fd[h] = -1;
		}
	}
	contain_sweep_orphans();
}

enum contain_mode contain_mode(void) { return st.mode; }
const char *contain_reason(void) { return st.reason ? st.reason : ""; }
long contain_memory_limit(void) { return st.memory; }
long contain_pids_limit(void) { return st.pids; }
size_t contain_stale_groups(void) { return st.stale_groups; }
size_t contain_stale_procs(void) { return st.stale_procs; }

const char *contain_mode_name(void)
{
	return st.mode == CONTAIN_CGROUP_V2 ? "cgroup-v2"
	       : st.mode == CONTAIN_CGROUP_V1 ? "cgroup-v1" : "rlimit-only";
}

/* OOM kills so far in c's memory group (cumulative, in v1 and v2 alike). */
static long oom_kills(const struct contain_cell *c)
{
	const char *dir = st.mode == CONTAIN_CGROUP_V2 ? c->dir[0] : c->dir[H_MEMORY];
	char buf[512];
	if (!dir || read_small(dir, st.mode == CONTAIN_CGROUP_V2 ? "memory.events"
			       : "memory.oom_control", buf, sizeof(buf)) <= 0)
		return 0;
	const char *k = strstr(buf, "oom_kill ");
	return k ? atol(k + strlen("oom_kill ")) : 0;
}

/* An idle group of an earlier cell, if any: empty, its limits written. */
static struct contain_cell *idle_take(void)
{
	struct contain_cell *c = NULL;
	pthread_mutex_lock(&st.lock);
	if (st.n_idle)
		c = st.idle[--st.n_idle];
	pthread_mutex_unlock(&st.lock);
	if (c)
		c->killed = c->empty = c->oom_read = false;
	return c;
}

static void idle_put(struct contain_cell *c)
{
	pthread_mutex_lock(&st.lock);
	if (st.n_idle == st.cap_idle) {
		st.cap_idle = st.cap_idle ? 2 * st.cap_idle : 8;
		st.idle = xrealloc(st.idle, st.cap_idle * sizeof(*st.idle));
	}
	st.idle[st.n_idle++] = c;
	pthread_mutex_unlock(&st.lock);
}

struct contain_cell *contain_cell_new(void)
{
	if (st.mode == CONTAIN_RLIMIT)
		return NULL;
	struct contain_cell *c = idle_take();
	if (c)
		return c;
	c = xcalloc(1, sizeof(*c));
	pthread_mutex_lock(&st.lock);
	unsigned long id = st.next_cell++;
	pthread_mutex_unlock(&st.lock);
	char pids[32], mem[32];
	snprintf(pids, sizeof(pids), "%ld", st.pids);
	snprintf(mem, sizeof(mem), "%ld", st.memory);
	bool ok = true;
	for (int h = 0; h < H_COUNT; h++) {
		c->procs_fd[h] = -1;
		if (!st.run[h])
			continue;
		c->dir[h] = xasprintf("%s/cell-%lu", st.run[h], id);
		ok = ok && mkdir(c->dir[h], 0755) == 0;
		if (ok && st.mode == CONTAIN_CGROUP_V2) {
			ok = write_str(c->dir[h], "pids.max", pids) == 0 &&
			     write_str(c->dir[h], "memory.max", mem) == 0;
			write_str(c->dir[h], "memory.swap.max", "0");
		} else if (ok && h == H_PIDS) {
			ok = write_str(c->dir[h], "pids.max", pids) == 0;
		} else if (ok && h == H_MEMORY) {
			ok = write_str(c->dir[h], "memory.limit_in_bytes", mem) == 0;
			write_str(c->dir[h], "memory.memsw.limit_in_bytes", mem);
		}
		if (ok) {
			/* v1: the child joins by its "tasks" (it is one thread, so
			 * that is the whole process): a write of 0 there moves
			 * only the writer, without the global threadgroup lock
			 * whose RCU grace period a write to cgroup.procs waits
			 * for when the lock was idle, 4 to 20 ms, once per cell
			 * of any length (issue 22: most of a qemu cell's excess). */
			cleanup_free char *p = path_join(c->dir[h], st.mode == CONTAIN_CGROUP_V1
								  ? "tasks" : "cgroup.procs");
			c->procs_fd[h] = open(p, O_WRONLY | O_CLOEXEC);
			ok = c->procs_fd[h] >= 0;
		}
	}
	if (!ok) {
		group_remove(c);
		return NULL;
	}
	return c;
}

int contain_cell_join(const struct contain_cell *c)
{
	for (int h = 0; c && h < H_COUNT; h++)
		if (c->procs_fd[h] >= 0 && write(c->procs_fd[h], "0", 1) < 0)
			return -errno;
	return 0;
}

/* A group with no process left stays empty (only a member can add one):
 * the checks after the cell's end are made once. */
static void cell_kill(struct contain_cell *c, bool wait)
{
	bool v2 = st.mode == CONTAIN_CGROUP_V2;
	const char *dir = c->dir[H_PIDS];
	if (!dir || c->empty)
		return;
	/* v1: a process could only be in the memory group if joining the pids
	 * group failed half-way; be thorough anyway. */
	if (group_empty(dir) && (!c->dir[H_MEMORY] || group_empty(c->dir[H_MEMORY]))) {
		c->empty = true;
		return;
	}
	kill_group_dir(dir, c->dir[H_FREEZER] ? c->dir[H_FREEZER] : v2 ? dir : NULL, v2, wait);
	if (c->dir[H_MEMORY] && !group_empty(c->dir[H_MEMORY]))
		kill_group_dir(c->dir[H_MEMORY], NULL, v2, wait);
}

void contain_cell_kill(struct contain_cell *c)
{
	if (!c || c->killed)
		return;
	c->killed = true;
	cell_kill(c, false);
}

bool contain_cell_oom(struct contain_cell *c)
{
	if (!c)
		return false;
	long n = oom_kills(c);
	c->oom_seen = n;
	c->oom_read = c->empty; /* final only when nothing is left to kill */
	return n > c->oom_base;
}

/* Its files closed, its directories removed. */
static void group_remove(struct contain_cell *c)
{
	for (int h = 0; h < H_COUNT; h++) {
		if (c->procs_fd[h] >= 0)
			close(c->procs_fd[h]);
		if (c->dir[h])
			rmdir_retry(c->dir[h]);
		free(c->dir[h]);
	}
	free(c);
}

/* What is left killed; an emptied group is kept for the next cell (its
 * OOM count the next cell's base), removed at teardown. */
void contain_cell_free(struct contain_cell *c)
{
	if (!c)
		return;
	cell_kill(c, true);
	if (!c->empty) {
		const char *mem = c->dir[H_MEMORY];
		c->empty = group_empty(c->dir[H_PIDS]) && (!mem || group_empty(mem));
	}
	if (!c->empty) {
		group_remove(c);
		return;
	}
	/* Read when the group was already empty: still the count. */
	c->oom_base = c->oom_read ? c->oom_seen : oom_kills(c);
	idle_put(c);
}
