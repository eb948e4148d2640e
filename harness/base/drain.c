#define _GNU_SOURCE
#include "base/drain.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long the pipes are still read after the child was killed (deadline,
 * interrupt): what it wrote last is in them. */
#define DRAIN_AFTER_KILL_S 0.5
/* After the reap, a holder of the pipes silent this long only held them. */
#define DRAIN_SILENT_MS 2000
/* How often to look for the child without a pidfd, or after a kill. */
#define DRAIN_LOOK_MS 100

double drain_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void drain_capture_add(struct drain_capture *c, const char *data, size_t n)
{
	if (!c->max)
		return;
	size_t keep = n < c->max - c->len ? n : c->max - c->len;
	if (keep && c->len + keep + 1 > c->cap) {
		/* Doubling, so a large capture is not copied once per read. */
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + keep + 1)
			cap *= 2;
		if (cap > c->max + 1)
			cap = c->max + 1;
		char *b = realloc(c->buf, cap);
		if (b) {
			c->buf = b;
			c->cap = cap;
		} else {
			keep = 0;
		}
	}
	if (keep) {
		memcpy(c->buf + c->len, data, keep);
		c->len += keep;
		c->buf[c->len] = '\0';
	}
	c->dropped += n - keep;
}

void drain_capture_release(struct drain_capture *c)
{
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = c->dropped = 0;
}

void drain_init(struct drain *d, pid_t pid, int out_fd, int err_fd, double deadline)
{
	memset(d, 0, sizeof(*d));
	d->pid = pid;
	d->fd[0] = out_fd;
	d->fd[1] = err_fd;
	d->wake_fd = -1;
	d->deadline = deadline;
	d->drain_end = INFINITY;
	d->pidfd = pidfd_open(pid, 0);
}

static void kill_group(struct drain *d)
{
	kill(-d->pid, SIGKILL);
	kill(d->pid, SIGKILL);
	if (d->on_kill)
		d->on_kill(d->ctx);
}

/* Reaps the child once it has ended (waiting for that if wait), its group
 * killed first.  Sets what follows from the reap: the drain after it ends
 * a moment after a kill, else at the deadline, if any. */
static void reap_if_ended(struct drain *d, bool wait)
{
	siginfo_t si;
	int r;
	memset(&si, 0, sizeof(si));
	do
		r = waitid(P_PID, (id_t)d->pid, &si, WEXITED | WNOWAIT | (wait ? 0 : WNOHANG));
	while (r < 0 && errno == EINTR);
	if (r < 0 || si.si_pid != d->pid)
		return;
	kill_group(d);
	while (waitpid(d->pid, &d->status, 0) < 0 && errno == EINTR)
		;
	d->exited = d->reaped = true;
	d->drain_end = d->timed_out || d->interrupted ? drain_now() + DRAIN_AFTER_KILL_S
			: d->deadline > 0 ? d->deadline
					  : INFINITY;
}

/* Before the reap: the deadline enforced.  After it: whether the drain is
 * over (a descendant still writing then cut the output).  Returns poll's
 * timeout, or -2 when the drain is over. */
static int limits(struct drain *d)
{
	double now = drain_now();
	if (d->reaped) {
		if (now >= d->drain_end) {
			d->output_cut = d->wrote_after_reap;
			d->timed_out = d->timed_out || (d->wrote_after_reap && !d->interrupted);
			return -2;
		}
		double left = d->drain_end - now;
		return left < DRAIN_SILENT_MS / 1000.0 ? (int)(left * 1000) + 1 : DRAIN_SILENT_MS;
	}
	int timeout_ms = -1;
	if (d->deadline > 0 && now >= d->deadline) {
		if (!d->timed_out)
			kill_group(d);
		d->timed_out = true;
		timeout_ms = DRAIN_LOOK_MS;
	} else if (!d->exited && d->deadline > 0) {
		double left = d->deadline - now;
		timeout_ms = left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
	}
	if (d->pidfd < 0 && (timeout_ms < 0 || timeout_ms > DRAIN_LOOK_MS))
		timeout_ms = DRAIN_LOOK_MS;
	return timeout_ms;
}

/* Reads what poll found ready; EOF or an error closes that pipe. */
static void read_ready(struct drain *d, const struct pollfd *pfd, const int *idx, int n)
{
	for (int k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (idx[k] == 2) {
			d->exited = true;
			continue;
		}
		if (idx[k] == 3)
			continue; /* the wake fd: the caller's business */
		int i = idx[k];
		char buf[65536];
		ssize_t got = read(d->fd[i], buf, sizeof(buf));
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0) {
			close(d->fd[i]);
			d->fd[i] = -1;
			continue;
		}
		drain_capture_add(&d->cap[i], buf, (size_t)got);
		if (d->on_data)
			d->on_data(d->ctx, i, buf, (size_t)got);
		d->wrote_after_reap = d->wrote_after_reap || d->reaped;
	}
}

bool drain_step(struct drain *d)
{
	/* Nothing left to read, and the child reaped, or ended and left to
	 * drain_finish. */
	if (d->fd[0] < 0 && d->fd[1] < 0 && d->exited)
		return false;
	int timeout_ms = limits(d);
	if (timeout_ms == -2)
		return false;
	/* The open pipes (idx 0, 1), the pidfd (2) until the child exits, the
	 * wake fd (3). */
	struct pollfd pfd[4];
	int idx[4], n = 0;
	for (int i = 0; i < 2; i++)
		if (d->fd[i] >= 0) {
			pfd[n] = (struct pollfd){.fd = d->fd[i], .events = POLLIN};
			idx[n++] = i;
		}
	if (!d->exited && d->pidfd >= 0) {
		pfd[n] = (struct pollfd){.fd = d->pidfd, .events = POLLIN};
		idx[n++] = 2;
	}
	if (d->wake_fd >= 0 && !d->interrupted) {
		pfd[n] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
		idx[n++] = 3;
	}
	int r = poll(pfd, (nfds_t)n, timeout_ms);
	if (r == 0 && d->reaped && drain_now() < d->drain_end)
		return false; /* silent for 2 s: it holds the pipes but says nothing */
	if (r < 0) {
		if (errno == EINTR)
			return true;
		if (!d->reaped)
			kill_group(d);
		return false;
	}
	read_ready(d, pfd, idx, n);
	if (!d->reaped && (d->exited || d->pidfd < 0))
		reap_if_ended(d, false);
	return true;
}

void drain_interrupt(struct drain *d)
{
	if (d->interrupted)
		return;
	d->interrupted = true;
	double now = drain_now();
	if (!d->reaped)
		kill_group(d);
	else if (d->drain_end > now + DRAIN_AFTER_KILL_S)
		d->drain_end = now + DRAIN_AFTER_KILL_S;
}

void drain_finish(struct drain *d)
{
	for (int i = 0; i < 2; i++)
		if (d->fd[i] >= 0) {
			close(d->fd[i]);
			d->fd[i] = -1;
		}
	if (!d->reaped)
		reap_if_ended(d, true);
	if (d->pidfd >= 0) {
		close(d->pidfd);
		d->pidfd = -1;
	}
}

void drain_run(struct drain *d)
{
	while (drain_step(d))
		;
	drain_finish(d);
}
