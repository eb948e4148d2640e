/* gm-batch: runs several programs in one container start and reports each.
 *
 * Built static with the host compiler (Makefile: build/gm-batch), so it runs
 * in any root file system, with or without a glibc of its own, and never
 * depends on the rootfs's /bin/sh.  It is the container's init (pid 1 of
 * its pid namespace): it reaps whatever its programs leave behind.
 *
 * Usage: gm-batch PLAN
 *   PLAN: one program per line, fields separated by tabs:
 *         TIMEOUT-MS <TAB> PATH <TAB> ARG1 <TAB> ...
 * Output on stdout, for each program in order:
 *   "gm-batch: <i> exit <code> signal <sig> timeout <0|1> execerr <errno>
 *    out <n> err <n>\n" followed by n bytes of stdout and n of stderr
 * and a last line "gm-batch: end <count>\n".  Each program runs in its own
 * process group with its own timeout (the group is killed when it expires),
 * so a crash or a hang of one cannot hide the results of the others.
 * Exit status: 0 when every program was run (whatever their outcomes), 2 on
 * a bad plan, 3 when a program could not be started at all. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CAPTURE_MAX (64 * 1024) /* bytes kept per stream and program */
#define MAX_ARGS 64

struct capture {
	char *buf;
	size_t len;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void feed(struct capture *c, const char *data, size_t n)
{
	if (c->len >= CAPTURE_MAX)
		return; /* keep draining, keep nothing more */
	if (n > CAPTURE_MAX - c->len)
		n = CAPTURE_MAX - c->len;
	memcpy(c->buf + c->len, data, n);
	c->len += n;
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(3);
		p += w;
		n -= (size_t)w;
	}
}

/* Runs one program; returns 0, or -1 when it could not be started. */
static int run_one(int idx, long timeout_ms, char **argv)
{
	int out[2], errp[2], note[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(note, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(errp[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		int e = errno;
		/* The parent learns the exec failure over the CLOEXEC pipe. */
		if (write(note[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid); /* both sides: no race with the kill below */
	int child_fd = (int)syscall(SYS_pidfd_open, pid, 0);
	close(out[1]);
	close(errp[1]);
	close(note[1]);
	struct capture cap[2] = {{malloc(CAPTURE_MAX), 0}, {malloc(CAPTURE_MAX), 0}};
	if (!cap[0].buf || !cap[1].buf)
		return -1;
	int fds[2] = {out[0], errp[0]};
	double deadline = now() + timeout_ms / 1000.0;
	int timed_out = 0, status = 0, reaped = 0;
	double reaped_at = 0;
	while (!reaped || fds[0] >= 0 || fds[1] >= 0) {
		/* A setsid()ed grandchild, out of the group's reach, may hold the
		 * pipes open for ever: give up on them a second after the reap. */
		if (reaped && now() - reaped_at > 1.0) {
			for (int i = 0; i < 2; i++)
				if (fds[i] >= 0) {
					close(fds[i]);
					fds[i] = -1;
				}
			break;
		}
		struct pollfd pfd[3];
		int n = 0, map[3];
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0) {
				pfd[n].fd = fds[i];
				pfd[n].events = POLLIN;
				map[n++] = i;
			}
		/* The child's exit wakes the poll too: a program that closed
		 * its streams first costs no sleep. */
		if (!reaped && child_fd >= 0) {
			pfd[n].fd = child_fd;
			pfd[n].events = POLLIN;
			map[n++] = 2;
		}
		int wait_ms = 50;
		if (!timed_out && !reaped) {
			double left = deadline - now();
			if (left <= 0) {
				/* The whole group: a program's own children die with it. */
				kill(-pid, SIGKILL);
				timed_out = 1;
			} else if (left * 1000 < wait_ms) {
				wait_ms = (int)(left * 1000) + 1;
			}
		}
		if (n == 0) {
			/* No pidfd (kernel < 5.3): a short sleep, not a long one. */
			struct timespec ts = {0, 1000000L};
			nanosleep(&ts, NULL);
		} else if (poll(pfd, n, wait_ms) > 0) {
			for (int k = 0; k < n; k++) {
				if (!pfd[k].revents || map[k] == 2)
					continue;
				char buf[16384];
				ssize_t got = read(pfd[k].fd, buf, sizeof(buf));
				if (got < 0 && errno == EINTR)
					continue;
				if (got <= 0) {
					close(pfd[k].fd);
					fds[map[k]] = -1;
					continue;
				}
				feed(&cap[map[k]], buf, (size_t)got);
			}
		}
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			reaped_at = now();
			/* Leftovers of the group would keep the pipes open. */
			kill(-pid, SIGKILL);
		}
	}
	if (child_fd >= 0)
		close(child_fd);
	int exec_errno = 0;
	if (read(note[0], &exec_errno, sizeof(exec_errno)) != sizeof(exec_errno))
		exec_errno = 0;
	close(note[0]);
	/* As pid 1 we inherit every orphan: reap them now. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	char head[256];
	int hn = snprintf(head, sizeof(head),
			  "gm-batch: %d exit %d signal %d timeout %d execerr %d out %zu err %zu\n",
			  idx, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			  WIFSIGNALED(status) ? WTERMSIG(status) : 0, timed_out, exec_errno,
			  cap[0].len, cap[1].len);
	write_all(head, (size_t)hn);
	write_all(cap[0].buf, cap[0].len);
	write_all(cap[1].buf, cap[1].len);
	free(cap[0].buf);
	free(cap[1].buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gm-batch PLAN\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "re");
	if (!f) {
		fprintf(stderr, "gm-batch: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int idx = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		char *args[MAX_ARGS + 1];
		int n = 0;
		char *save = NULL;
		for (char *tok = strtok_r(line, "\t", &save); tok && n < MAX_ARGS;
		     tok = strtok_r(NULL, "\t", &save))
			args[n++] = tok;
		args[n] = NULL;
		char *end;
		long timeout_ms = n >= 2 ? strtol(args[0], &end, 10) : 0;
		if (n < 2 || *end || timeout_ms <= 0) {
			fprintf(stderr, "gm-batch: plan line %d: want TIMEOUT-MS<TAB>PATH...\n", idx + 1);
			return 2;
		}
		if (run_one(idx, timeout_ms, args + 1) < 0) {
			fprintf(stderr, "gm-batch: program %d: %s\n", idx, strerror(errno));
			return 3;
		}
		idx++;
	}
	char tail[64];
	int tn = snprintf(tail, sizeof(tail), "gm-batch: end %d\n", idx);
	write_all(tail, (size_t)tn);
	return 0;
}
