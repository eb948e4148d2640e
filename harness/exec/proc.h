/* The one process-spawning module.
 *
 * Every child runs in its own process group with core dumps off and dies with
 * the harness (PR_SET_PDEATHSIG).  A timeout, or SIGINT/SIGTERM delivered to
 * the harness, kills the whole group.  stdout and stderr are drained together
 * (poll), so a child filling one pipe cannot deadlock the other; captures are
 * capped.  An exec failure comes back in the memory the vfork-like child
 * shares with us (as posix_spawn does) and is reported as such, not as
 * exit status 127.  When proc_run returns,
 * the child has been reaped and its group killed: no zombie, no orphan.
 * The deadline and an interrupt hold after the reap too: a descendant that
 * left the group and keeps the pipes open does not hold the call (it is
 * output_cut), and no signal goes to the child's pid or group once the
 * child is reaped (either id may belong to someone else by then).
 * Draining and the deadline are base/drain.h's, the rule every spawner
 * (the hook's ldconfig, gm-batch) shares.
 * A process group does not hold a program that calls setsid(), nor does
 * RLIMIT_NPROC hold root: spec->cell (contain.h) does. */
#ifndef GM_PROC_H
#define GM_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "exec/contain.h"

struct proc_spec {
	/* argv[0] is searched in PATH unless it has a '/'.  A file the kernel
	 * cannot run is exec_failed with ENOEXEC, never handed to /bin/sh. */
	char *const *argv;
	char *const *env;           /* "K=V" sets, "K" unsets; applied to our environ */
	const char *cwd;            /* NULL: inherit */
	double timeout_s;           /* <= 0: none */
	size_t capture_max;         /* bytes kept per stream; 0: discard */
	bool merge_stderr;          /* stderr goes to the stdout pipe */
	int log_fd;                 /* >= 0: everything read is also written here */
	int stdin_fd;               /* >= 0: child's stdin; else /dev/null */
	bool inherit_stdio;         /* the child keeps our stdin/stdout/stderr (no capture) */
	/* With inherit_stdio, when we are the terminal's foreground group: the
	 * child's group gets the terminal while it runs (as a shell's job
	 * control does), so it can read it and Ctrl-C reaches it, not us. */
	bool foreground_tty;
	/* With inherit_stdio: stderr goes through a pipe that the parent
	 * passes on to its own stderr as it arrives, and captures (up to
	 * capture_max), so the caller can read what a loader said. */
	bool relay_stderr;
	/* Called for each complete output line (stdout and stderr). */
	void (*on_line)(void *ctx, const char *line, size_t len);
	void *ctx;
	/* Called in the parent once the child exists; its pid is also its
	 * process-group id. */
	void (*on_start)(void *ctx, int pid);
	long rlimit_nproc;          /* > 0: RLIMIT_NPROC */
	long rlimit_fsize;          /* > 0: RLIMIT_FSIZE in bytes */
	long rlimit_as;             /* > 0: RLIMIT_AS in bytes */
	/* The child joins this cgroup before exec (contain.h); everything in
	 * it is killed with the child: on timeout, on interrupt, and before
	 * the child is reaped. */
	struct contain_cell *cell;
	/* Without a cell: after the child is reaped, kill and reap every
	 * orphan re-parented to us (contain_sweep_orphans). */
	bool sweep_orphans;
	/* Runs to completion even after SIGINT/SIGTERM: for the cleanup that
	 * an interrupted run still owes (runc delete of its container).  Keep
	 * its timeout short: Ctrl-C no longer cuts it. */
	bool ignore_interrupt;
	/* Non-NULL: the child runs confined (exec/confine.h), the host's files
	 * read-only but these directories (NULL-terminated, at most
	 * CONFINE_RW_MAX).  Failing to confine is reported as exec_failed. */
	const char *const *writable;
	/* Non-NULL: host directories covered by cover_with's (confine_cover),
	 * for runs with a target's own libraries.  Not with writable. */
	const char *const *cover, *const *cover_with;
};

struct proc_result {
	int status;        /* raw wait status */
	int exit_code;     /* WEXITSTATUS, or -1 if signalled */
	int signal;        /* terminating signal, 0 if exited */
	bool timed_out;
	bool interrupted;  /* the harness received SIGINT/SIGTERM meanwhile */
	bool exec_failed;
	int exec_errno;
	char *out, *err;   /* NUL-terminated captures (may be truncated) */
	size_t out_len, err_len;
	bool out_truncated, err_truncated;
	/* The child had ended, but a descendant that left its process group
	 * (setsid) kept writing to the pipes: reading stopped at the deadline
	 * (then timed_out is set too) or at an interrupt, and the captures end
	 * there. */
	bool output_cut;
	double duration_s;
};

/* Runs the child to completion.  Returns 0 when the child was started and
 * reaped (inspect *res for how it ended, including exec_failed), -1 + err
 * when it could not be started at all (fork/pipe failure). */
int proc_run(const struct proc_spec *spec, struct proc_result *res, struct gm_err **err);
void proc_result_release(struct proc_result *res);

/* Describes how a child ended ("exit 2", "killed by SIGSEGV", "timed out
 * after 5 s", "exec failed: No such file or directory"). */
char *proc_describe(const struct proc_result *res);

#endif
