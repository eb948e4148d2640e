/* base/drain: the rule every spawner drains and times its child by.  A
 * capture keeps its first bytes and counts the rest; the deadline kills
 * the whole group, also when a child or its straggler holds the pipes or
 * has closed them; EOF is not the end of the child; a descendant that left
 * the group and only holds the pipes ends the drain once silent. */
#define _GNU_SOURCE
#include "base/drain.h"
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs sh -c script as the leader of its own group, its stdout and stderr
 * on pipes, and drains it (deadline timeout_s from now, 0: none; max
 * bytes kept of each stream; without a pidfd if asked).  The seconds
 * the drain took. */
static double drain_sh(const char *script, double timeout_s, size_t max, bool no_pidfd,
		       struct drain *d)
{
	int out[2], errp[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		abort();
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(errp[1]);
	double t0 = drain_now();
	drain_init(d, pid, out[0], errp[0], timeout_s > 0 ? t0 + timeout_s : 0);
	d->cap[0].max = d->cap[1].max = max;
	if (no_pidfd && d->pidfd >= 0) {
		close(d->pidfd);
		d->pidfd = -1;
	}
	drain_run(d);
	return drain_now() - t0;
}

static void release(struct drain *d)
{
	drain_capture_release(&d->cap[0]);
	drain_capture_release(&d->cap[1]);
}

/* Gone, or a zombie waiting for whoever reaps it (within 2 s). */
static bool gone(int pid)
{
	for (int i = 0; i < 100; i++) {
		char path[64], state = 0;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		FILE *f = fopen(path, "re");
		if (!f)
			return true;
		int n = fscanf(f, "%*d (%*[^)]) %c", &state);
		fclose(f);
		if (n != 1 || state == 'Z')
			return true;
		usleep(20000);
	}
	return false;
}

static void capture_counts_what_it_drops(void)
{
	struct drain_capture c = {.max = 10};
	drain_capture_add(&c, "abcdef", 6);
	drain_capture_add(&c, "ghijklmnop", 10);
	drain_capture_add(&c, "q", 1);
	TEST_COMPARE(c.len, 10);
	TEST_COMPARE_STRING(c.buf, "abcdefghij");
	TEST_COMPARE(c.dropped, 7);
	drain_capture_release(&c);
	struct drain_capture off = {0};
	drain_capture_add(&off, "abc", 3);
	TEST_VERIFY(off.buf == NULL);
	TEST_COMPARE(off.len + off.dropped, 0);

	/* 1 MiB on each stream: read together, or the child would block. */
	struct drain d;
	drain_sh("head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2", 20, 1000, false, &d);
	TEST_VERIFY(WIFEXITED(d.status) && WEXITSTATUS(d.status) == 0);
	TEST_VERIFY(!d.timed_out);
	TEST_COMPARE(d.cap[0].len, 1000);
	TEST_COMPARE(d.cap[0].dropped, 1048576 - 1000);
	TEST_COMPARE(d.cap[1].len, 1000);
	TEST_COMPARE(d.cap[1].dropped, 1048576 - 1000);
	release(&d);
}

/* The background sleep holds the pipes after its parent is killed: only
 * the group's kill ends the drain, and it ends both. */
static void deadline_kills_the_group(void)
{
	struct drain d;
	double took = drain_sh("sleep 100 & echo $!; sleep 100", 0.5, 100, false, &d);
	TEST_VERIFY(took >= 0.5 && took < 5);
	TEST_VERIFY(d.timed_out);
	TEST_VERIFY(d.reaped);
	TEST_VERIFY(WIFSIGNALED(d.status) && WTERMSIG(d.status) == SIGKILL);
	int straggler = d.cap[0].buf ? atoi(d.cap[0].buf) : 0;
	TEST_VERIFY(straggler > 0);
	TEST_VERIFY(straggler > 0 && gone(straggler));
	if (straggler > 0)
		kill(straggler, SIGKILL);
	release(&d);
}

/* EOF of both pipes is not the end: the child is waited for, its status
 * its own.  With and without a pidfd (then looked for every 100 ms). */
static void eof_before_exit(void)
{
	for (int no_pidfd = 0; no_pidfd < 2; no_pidfd++) {
		struct drain d;
		double took = drain_sh("echo hi; exec >&- 2>&-; sleep 0.3; exit 4", 10, 100, no_pidfd,
				       &d);
		TEST_VERIFY(took >= 0.3 && took < 5);
		TEST_VERIFY(!d.timed_out);
		TEST_VERIFY(WIFEXITED(d.status) && WEXITSTATUS(d.status) == 4);
		TEST_COMPARE_STRING(d.cap[0].buf, "hi\n");
		release(&d);
	}
}

/* A child that closed its output and runs on is killed at the deadline
 * (with and without a pidfd), not waited for. */
static void closed_output_runs_to_the_deadline(void)
{
	for (int no_pidfd = 0; no_pidfd < 2; no_pidfd++) {
		struct drain d;
		double took = drain_sh("echo bye; exec >&- 2>&-; sleep 100", 0.5, 100, no_pidfd, &d);
		TEST_VERIFY(took >= 0.5 && took < 5);
		TEST_VERIFY(d.timed_out);
		TEST_VERIFY(WIFSIGNALED(d.status) && WTERMSIG(d.status) == SIGKILL);
		TEST_COMPARE_STRING(d.cap[0].buf, "bye\n");
		release(&d);
	}
}

/* The child exits at once; a descendant that left its group (setsid)
 * holds the pipes and says nothing: the drain ends after 2 s of silence,
 * long before the deadline, and that is no timeout. */
static void silent_holder_after_reap(void)
{
	char tmpl[] = "/tmp/gm-drain-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd >= 0)
		close(fd);
	char script[512];
	/* The child waits for the pid file: until setsid() the holder is in
	 * the child's group, which dies with the child. */
	snprintf(script, sizeof(script),
		 "setsid sh -c 'echo $$ > %s; exec sleep 100' & "
		 "while [ ! -s %s ]; do sleep 0.05; done; exit 0", tmpl, tmpl);
	struct drain d;
	double took = drain_sh(script, 30, 100, false, &d);
	TEST_VERIFY(took >= 2 && took < 10);
	TEST_VERIFY(WIFEXITED(d.status) && WEXITSTATUS(d.status) == 0);
	TEST_VERIFY(!d.timed_out);
	TEST_VERIFY(!d.output_cut);
	FILE *f = fopen(tmpl, "re");
	int holder = 0;
	if (f) {
		if (fscanf(f, "%d", &holder) != 1)
			holder = 0;
		fclose(f);
	}
	TEST_VERIFY(holder > 0);
	if (holder > 0)
		kill(holder, SIGKILL);
	unlink(tmpl);
	release(&d);
}

int main(void)
{
	RUN_TEST(capture_counts_what_it_drops);
	RUN_TEST(deadline_kills_the_group);
	RUN_TEST(eof_before_exit);
	RUN_TEST(closed_output_runs_to_the_deadline);
	RUN_TEST(silent_holder_after_reap);
	TAP_END();
}
