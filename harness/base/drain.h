/* The one rule by which a spawner reads a child's output and holds it to a
 * deadline: exec/proc.c (every child of the driver), hook/ldconfig.c (the
 * hook's ldconfig) and containers/gm-batch.c (a container's init).  The
 * last is a static program that compiles drain.c alone, so drain.c uses
 * libc and nothing else, and never exits or prints.
 *
 * The spawner starts the child as the leader of its own process group
 * (setpgid on both sides, so the group exists before either relies on it)
 * with up to two pipes for its output; then drain_init, then drain_step
 * until it returns false (drain_run does both and drain_finish), then
 * drain_finish.  The rule:
 *  - Both pipes are read together (poll), so a child filling one cannot
 *    block on it while we wait on the other.  Each capture keeps its first
 *    max bytes and counts the rest (drain_capture).
 *  - A pidfd wakes the poll when the child exits; without one (kernel
 *    < 5.3) whether it has ended is looked at every 100 ms.
 *  - EOF of the pipes ends nothing: a child that closed them runs on until
 *    it exits or the deadline kills it, and is reaped either way.
 *  - At the deadline the group is killed (SIGKILL) and the run timed_out;
 *    reading goes on, what the child wrote last is in the pipes.
 *  - Once the child has exited, its group is killed, THEN the child is
 *    reaped: while the leader is a zombie its id cannot name a new,
 *    unrelated group, and stragglers that held the pipes die with it.
 *  - After the reap nothing is killed by pid or group any more (both ids
 *    may be reused).  Only a descendant that left the group (setsid) can
 *    still hold the pipes: it is read until it has been silent for 2 s, or
 *    until the deadline (half a second after a kill or an interrupt).  One
 *    still writing then cuts the output (output_cut), which is a timeout
 *    unless the run was interrupted.
 *  - EINTR repeats a call; it never ends the run. */
#ifndef GM_DRAIN_H
#define GM_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What is kept of one stream: its first max bytes (0: nothing is kept or
 * counted), NUL-terminated in buf (NULL until a byte was kept); what came
 * after, or what memory was refused for, is counted in dropped. */
struct drain_capture {
	char *buf;
	size_t len, cap, max;
	size_t dropped;
};

void drain_capture_add(struct drain_capture *c, const char *data, size_t n);
void drain_capture_release(struct drain_capture *c);

struct drain {
	/* Set by drain_init. */
	pid_t pid;          /* the child, leader of its own process group */
	int fd[2];          /* stdout, stderr: -1 when absent or at EOF */
	int pidfd;          /* -1: none, the child is looked for every 100 ms */
	double deadline;    /* drain_now() clock; 0: none */
	/* Optional, set after drain_init. */
	struct drain_capture cap[2]; /* set cap[i].max to keep stream i */
	/* >= 0: polled as well until drain_interrupt; when it is readable
	 * drain_step returns, for the caller to decide (an interrupt). */
	int wake_fd;
	/* Called with every chunk read, after the capture took its part. */
	void (*on_data)(void *ctx, int stream, const char *data, size_t n);
	/* Called each time the group is killed: whatever else must die with
	 * it (a cgroup). */
	void (*on_kill)(void *ctx);
	void *ctx;
	/* The outcome. */
	int status;         /* the raw wait status, once reaped */
	bool exited, reaped;
	bool timed_out;     /* killed at the deadline, or output cut at it */
	bool interrupted;   /* drain_interrupt was called */
	bool output_cut;    /* reading stopped while a descendant still wrote */
	/* Internal. */
	double drain_end;
	bool wrote_after_reap;
};

/* Seconds on CLOCK_MONOTONIC: the clock of deadlines. */
double drain_now(void);

/* Sets d up for the child pid (its group leader) and its pipes (-1: none),
 * with the deadline in drain_now() seconds (0: none); opens the pidfd. */
void drain_init(struct drain *d, pid_t pid, int out_fd, int err_fd, double deadline);

/* One poll and what follows from it.  Returns false when the run is over:
 * the pipes at EOF and the child reaped, or the drain after the reap
 * ended, or poll failed (then the group was killed if not yet reaped). */
bool drain_step(struct drain *d);

/* The caller was interrupted: kill the group while the child is ours to
 * kill, else cut the drain after the reap to half a second. */
void drain_interrupt(struct drain *d);

/* Closes the pipes and the pidfd; reaps the child (killing its group
 * first) if that has not happened, waiting for it. */
void drain_finish(struct drain *d);

/* drain_step until it returns false, then drain_finish. */
void drain_run(struct drain *d);

#endif
