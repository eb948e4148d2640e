/* store_lock: a second taker waits for the first; the process group a dead
 * holder recorded is killed only when it is really the holder's (one of its
 * processes has the lock file open), never an unrelated group that reused
 * the id.  Real processes, real flock, a private store. */
#define _GNU_SOURCE
#include "store/store.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/gm-store-XXXXXX";
/* The store is dir (main). */
static struct gm_config cfg;

static char *lock_path(const char *name)
{
	return xasprintf("%s/locks/%s.lock", dir, name);
}

/* A pid that existed and is gone. */
static pid_t dead_pid(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return p;
}

/* Waits until pid's group is pgid (it called setsid). */
static void wait_setsid(pid_t pid)
{
	for (int i = 0; i < 500 && getpgid(pid) != pid; i++)
		usleep(2000);
}

/* In place, as store_lock_note_group writes it: a new file (rename) would
 * be a new inode that nobody has locked. */
static void write_record(const char *name, pid_t holder, pid_t group)
{
	char *p = lock_path(name);
	char *rec = xasprintf("%d %d\n", (int)holder, (int)group);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	TEST_VERIFY(fd >= 0 && ftruncate(fd, 0) == 0 &&
		    pwrite(fd, rec, strlen(rec), 0) == (ssize_t)strlen(rec));
	if (fd >= 0)
		close(fd);
	free(rec);
	free(p);
}

static bool alive(pid_t pid)
{
	int st;
	return waitpid(pid, &st, WNOHANG) == 0;
}

/* Whether the kernel lists pid as blocked on a lock (/proc/locks marks a
 * waiter "->"): the waiter is inside flock, not merely on its way. */
static bool blocked_on_lock(pid_t pid)
{
	char line[256], want[32];
	bool found = false;
	FILE *f = fopen("/proc/locks", "re");
	snprintf(want, sizeof(want), " %d ", (int)pid);
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, "-> ") && strstr(line, want);
	if (f)
		fclose(f);
	return found;
}

/* One byte from fd, or 0 when the pipe is empty right now. */
static char event_now(int fd)
{
	char c;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1 && read(fd, &c, 1) == 1 ? c : 0;
}

/* The order of events, not their timing: the holder writes 'H' once it has
 * the lock and 'R' just before it releases it (by exiting); the waiter
 * writes 'A' once store_lock returned.  Between them the waiter is seen
 * blocked in the kernel and has not written 'A': "HRA" proves it waited
 * for the release.  A store_lock that did not wait writes 'A' first. */
static void contention(void)
{
	int events[2], release[2];
	char order[4] = "";
	TEST_COMPARE(pipe(events), 0);
	TEST_COMPARE(pipe(release), 0);
	pid_t holder = fork();
	if (holder == 0) {
		int hfd;
		char c;
		if (store_lock(&cfg, NULL, "c", &hfd, NULL) < 0)
			_exit(1);
		(void)!write(events[1], "H", 1);
		(void)!read(release[0], &c, 1);
		(void)!write(events[1], "R", 1);
		_exit(0);
	}
	close(release[0]);
	TEST_COMPARE(read(events[0], &order[0], 1), 1);
	pid_t waiter = fork();
	if (waiter == 0) {
		int wfd;
		if (store_lock(&cfg, NULL, "c", &wfd, NULL) < 0)
			_exit(1);
		(void)!write(events[1], "A", 1);
		_exit(0);
	}
	close(events[1]);
	/* Bounded (a minute) so that a waiter that never blocks fails. */
	for (int i = 0; i < 30000 && !blocked_on_lock(waiter) && alive(waiter); i++)
		usleep(2000);
	TEST_VERIFY(blocked_on_lock(waiter));
	order[1] = event_now(events[0]);
	TEST_COMPARE(order[1], 0);
	(void)!write(release[1], "x", 1);
	close(release[1]);
	if (!order[1])
		TEST_COMPARE(read(events[0], &order[1], 1), 1);
	TEST_COMPARE(read(events[0], &order[2], 1), 1);
	TEST_COMPARE_STRING(order, "HRA");
	int st = -1;
	TEST_COMPARE(waitpid(holder, &st, 0), holder);
	TEST_VERIFY(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* released, not killed */
	TEST_COMPARE(waitpid(waiter, &st, 0), waiter);
	TEST_VERIFY(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(events[0]);
}

static void unrelated_group_is_spared(void)
{
	int fd = -1, hold[2];
	struct gm_err *err = NULL;
	TEST_COMPARE(pipe(hold), 0);
	/* An unrelated session that does not have the lock open. */
	pid_t other = fork();
	if (other == 0) {
		setsid();
		pause();
		_exit(0);
	}
	wait_setsid(other);
	/* The lock is held (by a helper that will release it), the record
	 * names a dead holder and the unrelated group. */
	pid_t holder = fork();
	if (holder == 0) {
		int hfd;
		if (store_lock(&cfg, NULL, "u", &hfd, NULL) < 0)
			_exit(1);
		close(hold[0]);
		(void)!write(hold[1], "x", 1);
		usleep(200 * 1000);
		_exit(0);
	}
	close(hold[1]);
	char c;
	TEST_COMPARE(read(hold[0], &c, 1), 1);
	close(hold[0]);
	write_record("u", dead_pid(), other);
	TEST_COMPARE(store_lock(&cfg, NULL, "u", &fd, &err), 0);
	TEST_VERIFY(alive(other));
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	waitpid(holder, NULL, 0);
	close(fd);
	gm_err_free(&err);
}

static void leftover_group_is_killed(void)
{
	int fd = -1, ready[2];
	struct gm_err *err = NULL;
	TEST_COMPARE(pipe(ready), 0);
	/* What a harness killed with -9 leaves: a process in its own group
	 * that inherited the locked fd, and a record naming that group. */
	pid_t leftover = fork();
	if (leftover == 0) {
		int lfd;
		setsid();
		if (store_lock(&cfg, NULL, "k", &lfd, NULL) < 0)
			_exit(1);
		close(ready[0]);
		(void)!write(ready[1], "x", 1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char c;
	TEST_COMPARE(read(ready[0], &c, 1), 1);
	close(ready[0]);
	write_record("k", dead_pid(), leftover);
	TEST_COMPARE(store_lock(&cfg, NULL, "k", &fd, &err), 0);
	int st = 0;
	TEST_COMPARE(waitpid(leftover, &st, 0), leftover);
	TEST_VERIFY(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(fd);
	gm_err_free(&err);
}

/* Every later point works in it: no scratch directory is a failing point,
 * not an early exit that a runner would count as no tests at all. */
static void scratch_dir(void)
{
	TEST_VERIFY(mkdtemp(dir) != NULL);
}

int main(void)
{
	RUN_SETUP(scratch_dir);
	cfg.store = dir;
	RUN_TEST(contention);
	RUN_TEST(unrelated_group_is_spared);
	RUN_TEST(leftover_group_is_killed);
	rm_rf(dir, NULL);
	TAP_END();
}
