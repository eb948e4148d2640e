/* The children the harness spawns and the orphans they leave: the pids of
 * live cells (registered by the spawner under contain_live_lock), and the
 * sweep that kills or reaps every other child of ours (we are the
 * subreaper).  Split from contain.c, which makes the cgroups. */
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
#include <sys/wait.h>
#include <unistd.h>

/* The pids of cells running now: a sweep never touches them. */
static struct {
	pthread_mutex_t lock;
	int *pids;
	size_t n, cap;
} live = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Spawners share it, a sweep takes it alone: two jobs' children start
 * (clone, the child's set-up and exec, the parent suspended meanwhile) at
 * the same time, which the one mutex held across the spawn serialised. */
static pthread_rwlock_t spawning = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

void contain_live_lock(void) { pthread_rwlock_rdlock(&spawning); }
void contain_live_unlock(void) { pthread_rwlock_unlock(&spawning); }

void contain_live_add(int pid)
{
	pthread_mutex_lock(&live.lock);
	if (live.n == live.cap) {
		live.cap = live.cap ? 2 * live.cap : 16;
		live.pids = xrealloc(live.pids, live.cap * sizeof(int));
	}
	live.pids[live.n++] = pid;
	pthread_mutex_unlock(&live.lock);
}

void contain_live_del(int pid)
{
	pthread_mutex_lock(&live.lock);
	for (size_t i = 0; i < live.n; i++)
		if (live.pids[i] == pid) {
			live.pids[i] = live.pids[--live.n];
			break;
		}
	pthread_mutex_unlock(&live.lock);
}

/* State letter and start time (clock ticks after boot) of /proc/<pid>/stat;
 * false when there is no such process. */
bool contain_stat_fields(long pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return false;
	*state = p[2];
	/* fields after the name: 3 state ... 22 starttime */
	p += 2;
	for (int f = 3; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	*start = p ? strtoull(p + 1, NULL, 10) : 0;
	return true;
}

bool contain_pid_alive(long pid)
{
	char s;
	unsigned long long start;
	return contain_stat_fields(pid, &s, &start) && s != 'Z' && s != 'X';
}

/* The parent pid in /proc/<pid>/stat: the field after ") S ". */
static long parent_of(const char *pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] && p[3] == ' ' ? atol(p + 4) : -1;
}

/* Kills (all) or reaps (a zombie) child pid of ours unless it is a live
 * cell; whether it did.  Under live.lock. */
static bool sweep_one(long pid, bool all)
{
	char state;
	unsigned long long start;
	if (!all && (!contain_stat_fields(pid, &state, &start) || state != 'Z'))
		return false;
	for (size_t i = 0; i < live.n; i++)
		if (live.pids[i] == pid)
			return false;
	kill((pid_t)pid, SIGKILL);
	/* Ours now, so ours to reap (a zombie would otherwise stay). */
	while (waitpid((pid_t)pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	return true;
}

/* Our children from /proc/self/task/<tid>/children, one file per thread
 * (an orphan goes to any thread of its subreaper): a few reads, where a
 * scan of /proc reads the stat of every process of the machine, for each
 * cell of rlimit-only runs.  -1 without those files (CONFIG_PROC_CHILDREN). */
static ssize_t sweep_children(bool all)
{
	static int have = -1;
	if (have < 0)
		have = access("/proc/thread-self/children", R_OK) == 0;
	DIR *d = have ? opendir("/proc/self/task") : NULL;
	struct dirent *e;
	ssize_t n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *p = xasprintf("/proc/self/task/%s/children", e->d_name);
		cleanup_free char *list = NULL;
		size_t len;
		if (read_file(p, &list, &len, NULL) < 0)
			continue; /* a thread that just ended */
		for (char *q = list, *end; *q; q = end) {
			long pid = strtol(q, &end, 10);
			if (end == q)
				break;
			n += pid > 0 && sweep_one(pid, all);
		}
	}
	closedir(d);
	return n;
}

/* Kills (all) or only reaps (zombies) our children that are not live
 * cells.  With cgroups the group kill does the killing: an orphan of
 * another, still running cell must not be touched, only our zombies. */
size_t contain_sweep(bool all)
{
	pthread_rwlock_wrlock(&spawning);
	pthread_mutex_lock(&live.lock);
	ssize_t got = sweep_children(all);
	size_t n = got > 0 ? (size_t)got : 0;
	DIR *d = got < 0 ? opendir("/proc") : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || parent_of(e->d_name) != getpid())
			continue;
		n += sweep_one(pid, all);
	}
	if (d)
		closedir(d);
	pthread_mutex_unlock(&live.lock);
	pthread_rwlock_unlock(&spawning);
	return n;
}

size_t contain_sweep_orphans(void)
{
	return contain_sweep(true);
}
