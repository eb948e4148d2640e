#define _GNU_SOURCE
#include "exec/proc.h"
#include "base/cleanup.h"
#include "base/drain.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "exec/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

/* The child's environment: ours without the variables delta names, then
 * delta's assignments ("NAME" alone only removes).  The strings are
 * borrowed from environ and delta, the array is the caller's to free: it
 * lives for one spawn, which strdup'ing each of ours (and finding the end
 * of the list per entry) made a few dozen allocations per cell. */
static char **build_env(char *const *delta)
{
	size_t n_env = 0, n_delta = 0;
	while (environ[n_env])
		n_env++;
	while (delta && delta[n_delta])
		n_delta++;
	char **env = xcalloc(n_env + n_delta + 1, sizeof(char *));
	size_t n = 0;
	for (char **e = environ; *e; e++) {
		size_t klen = strcspn(*e, "=");
		bool overridden = false;
		for (size_t i = 0; i < n_delta && !overridden; i++) {
			size_t dlen = strcspn(delta[i], "=");
			overridden = dlen == klen && strncmp(delta[i], *e, klen) == 0;
		}
		if (!overridden)
			env[n++] = *e;
	}
	for (size_t i = 0; i < n_delta; i++)
		if (strchr(delta[i], '='))
			env[n++] = delta[i];
	env[n] = NULL;
	return env;
}

/* The child shares our memory (CLONE_VM) and we are suspended until it
 * execs or exits (CLONE_VFORK): why it failed is written where we read it
 * when we resume, as posix_spawn does, not sent through a pipe. */
static void child_fail(int *slot, int e)
{
	*slot = e ? e : EINVAL;
	_exit(127);
}

/* execvpe without its fallback: on ENOEXEC execvpe runs the file as a
 * shell script through /bin/sh, and a loader of another architecture (or any
 * binary the kernel cannot run) then fills the terminal with its bytes as
 * "commands".  Here ENOEXEC is the answer.  Runs in the CLONE_VM child, so
 * nothing here allocates: the candidate paths live on the child's stack. */
static void exec_no_shell(const char *file, char *const argv[], char *const envp[])
{
	if (strchr(file, '/')) {
		execve(file, argv, envp);
		return;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	size_t flen = strlen(file);
	int seen = ENOENT;
	char buf[4096];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		if (dlen == 0)
			dlen = 1, p = "."; /* an empty entry is the current directory */
		if (dlen + 1 + flen + 1 <= sizeof(buf)) {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			execve(buf, argv, envp);
			/* Found but unrunnable: the search ends, as execvp's does. */
			if (errno == ENOEXEC)
				return;
			if (errno == EACCES)
				seen = EACCES;
		}
		if (!*end)
			break;
		p = end;
	}
	errno = seen;
}

/* tcsetpgrp from a background group raises SIGTTOU unless it is blocked. */
static void tty_give(pid_t pgid)
{
	sigset_t ttou, old;
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(0, pgid);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static void child(const struct proc_spec *spec, char **envp, int out_w, int err_w, int *notify,
		  bool fg)
{
	struct rlimit core = {0, 0};
	int in;

	setpgid(0, 0);
	/* First, so that nothing the program does escapes its limits. */
	int ce = contain_cell_join(spec->cell);
	if (ce < 0)
		child_fail(notify, -ce);
	/* Before anything runs that could write through the host's mounts. */
	if (spec->writable && (ce = confine_enter(spec->writable)) < 0)
		child_fail(notify, -ce);
	if (spec->cover && (ce = confine_cover(spec->cover, spec->cover_with)) < 0)
		child_fail(notify, -ce);
	/* Both sides hand over the terminal, whichever runs first. */
	if (fg)
		tty_give(getpid());
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The harness may have ignored or caught these; the child starts clean. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	setrlimit(RLIMIT_CORE, &core);
	if (spec->rlimit_nproc > 0) {
		struct rlimit r = {spec->rlimit_nproc, spec->rlimit_nproc};
		setrlimit(RLIMIT_NPROC, &r);
	}
	if (spec->rlimit_fsize > 0) {
		struct rlimit r = {spec->rlimit_fsize, spec->rlimit_fsize};
		setrlimit(RLIMIT_FSIZE, &r);
	}
	if (spec->rlimit_as > 0) {
		struct rlimit r = {spec->rlimit_as, spec->rlimit_as};
		setrlimit(RLIMIT_AS, &r);
	}
	if (spec->inherit_stdio && spec->relay_stderr && dup2(err_w, 2) < 0)
		child_fail(notify, errno);
	if (!spec->inherit_stdio) {
		in = spec->stdin_fd >= 0 ? spec->stdin_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (in < 0 || dup2(in, 0) < 0 || dup2(out_w, 1) < 0 ||
		    dup2(spec->merge_stderr ? out_w : err_w, 2) < 0)
			child_fail(notify, errno);
	}
	if (spec->cwd && chdir(spec->cwd) < 0)
		child_fail(notify, errno);
	exec_no_shell(spec->argv[0], spec->argv, envp);
	child_fail(notify, errno);
}

struct child_args {
	const struct proc_spec *spec;
	char **envp;
	int out_w, err_w;
	int *notify;
	bool fg;
};

static int child_main(void *p)
{
	struct child_args *a = p;
	child(a->spec, a->envp, a->out_w, a->err_w, a->notify, a->fg);
	return 127;
}

/* The child's stack, one per thread and kept: a fresh 256 KiB each time
 * was an mmap, page faults and an munmap per cell. */
static pthread_key_t stack_key;
static pthread_once_t stack_once = PTHREAD_ONCE_INIT;

static void stack_key_make(void)
{
	pthread_key_create(&stack_key, free);
}

#define CHILD_STACK (256 * 1024)

static char *child_stack(void)
{
	pthread_once(&stack_once, stack_key_make);
	char *stack = pthread_getspecific(stack_key);
	if (!stack) {
		stack = xmalloc(CHILD_STACK);
		pthread_setspecific(stack_key, stack);
	}
	return stack;
}

/* Starts the child with clone(CLONE_VM | CLONE_VFORK), as posix_spawn does:
 * fork() copies the page tables of a threaded harness and serialises
 * concurrent spawns on the address-space lock, which made two jobs slower
 * than one.  The parent is suspended until the child has exec'd (or
 * failed), and the child only makes system calls, on its own stack, before
 * it does.  Every signal is blocked across the call so no handler of ours
 * runs in the child; child() sets its own mask. */
static pid_t spawn_child(const struct proc_spec *spec, char **envp, int out_w, int err_w,
			 int *notify, bool fg)
{
	struct child_args a = {spec, envp, out_w, err_w, notify, fg};
	char *stack = child_stack();
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pid_t pid = clone(child_main, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	int e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return pid;
}

/* What proc adds to the drain's capture of a stream: the relay to our
 * stderr and the line buffer of on_line. */
struct stream {
	int relay_fd;      /* >= 0: what is read is passed on here at once */
	char line[4096];
	size_t line_len;
};

static void write_all(int fd, const char *p, size_t left)
{
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0) {
			p += w;
			left -= w;
		}
	}
}

static int proc_run_once(const struct proc_spec *spec, struct proc_result *res,
			 struct gm_err **err);

int proc_run(const struct proc_spec *spec, struct proc_result *res, struct gm_err **err)
{
	/* A program written a moment ago can be "busy" while another thread's
	 * fork still holds the writer's descriptor until that child execs: the
	 * classic ETXTBSY race of threaded spawners.  It clears within
	 * milliseconds, so retry. */
	for (int attempt = 0;; attempt++) {
		if (proc_run_once(spec, res, err) < 0)
			return -1;
		if (!res->exec_failed || res->exec_errno != ETXTBSY || attempt == 50)
			return 0;
		proc_result_release(res);
		usleep(10000);
	}
}

/* One child from its start to its reap: read and timed by the drain
 * (base/drain.h), the rule every spawner shares. */
struct run {
	const struct proc_spec *spec;
	struct drain d;
	struct stream st[2];        /* stdout, stderr */
	pid_t pid;
	bool fg;                    /* the child's group has the terminal */
	double start, deadline;
};

/* Every chunk the drain reads (after its capture): the log, the relay,
 * the lines. */
static void on_data(void *ctx, int i, const char *data, size_t n)
{
	struct run *rn = ctx;
	const struct proc_spec *spec = rn->spec;
	struct stream *s = &rn->st[i];
	if (spec->log_fd >= 0)
		write_all(spec->log_fd, data, n);
	if (s->relay_fd >= 0)
		write_all(s->relay_fd, data, n);
	if (!spec->on_line)
		return;
	for (size_t k = 0; k < n; k++) {
		if (data[k] == '\n' || s->line_len == sizeof(s->line) - 1) {
			s->line[s->line_len] = '\0';
			spec->on_line(spec->ctx, s->line, s->line_len);
			s->line_len = 0;
			if (data[k] == '\n')
				continue;
		}
		s->line[s->line_len++] = data[k];
	}
}

/* The cell dies with the group: on timeout, on interrupt, before the reap. */
static void on_kill(void *ctx)
{
	struct run *rn = ctx;
	contain_cell_kill(rn->spec->cell);
}

static void close_pipes(int *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] >= 0)
			close(p[i]);
}

/* Pipes, the child, its group, and the drain of its streams. */
static int start_child(const struct proc_spec *spec, char **envp, struct run *rn,
		       struct proc_result *res, struct gm_err **err)
{
	/* out[2], err[2] */
	int p[4] = {-1, -1, -1, -1};
	int exec_errno = 0;
	if (pipe2(p, O_CLOEXEC) < 0 || pipe2(p + 2, O_CLOEXEC) < 0) {
		int e = errno;
		close_pipes(p, 4);
		return gm_infra(err, e, "cannot create pipes for '%s'", spec->argv[0]);
	}
	rn->fg = spec->inherit_stdio && spec->foreground_tty && isatty(0) &&
		 tcgetpgrp(0) == getpgrp();
	/* Registered before the sweep of another thread can see it. */
	contain_live_lock();
	rn->pid = spawn_child(spec, envp, p[1], p[3], &exec_errno, rn->fg);
	if (rn->pid > 0)
		contain_live_add(rn->pid);
	contain_live_unlock();
	if (rn->pid < 0) {
		int e = errno;
		close_pipes(p, 4);
		return gm_infra(err, e, "cannot start '%s'", spec->argv[0]);
	}
	/* Both sides call setpgid so the group exists before either relies on it. */
	setpgid(rn->pid, rn->pid);
	if (rn->fg)
		tty_give(rn->pid);
	if (spec->on_start)
		spec->on_start(spec->ctx, rn->pid);
	close(p[1]);
	close(p[3]);
	/* Set by the child before it exited, if its exec failed (we were
	 * suspended until then). */
	if (__atomic_load_n(&exec_errno, __ATOMIC_SEQ_CST)) {
		res->exec_failed = true;
		res->exec_errno = exec_errno;
	}
	struct drain *d = &rn->d;
	drain_init(d, rn->pid, p[0], p[2], rn->deadline);
	d->cap[0].max = d->cap[1].max = spec->capture_max;
	d->on_data = on_data;
	d->on_kill = on_kill;
	d->ctx = rn;
	/* Ctrl-C reaches one thread; the others learn it from this fd. */
	if (!spec->ignore_interrupt)
		d->wake_fd = interrupt_fd();
	rn->st[0].relay_fd = -1;
	rn->st[1].relay_fd = spec->inherit_stdio && spec->relay_stderr ? 2 : -1;
	return 0;
}

/* The drain to its end; an interrupt kills the group (or cuts the drain
 * after the reap) unless the spec ignores interrupts. */
static void pump(const struct proc_spec *spec, struct run *rn)
{
	do
		if (!spec->ignore_interrupt && interrupted())
			drain_interrupt(&rn->d);
	while (drain_step(&rn->d));
}

/* The child reaped (if still not), the terminal back, the result filled. */
static void finish(const struct proc_spec *spec, struct run *rn, struct proc_result *res)
{
	struct drain *d = &rn->d;
	drain_finish(d);
	contain_live_del(rn->pid);
	if (!spec->cell && spec->sweep_orphans)
		contain_sweep_orphans();
	if (rn->fg)
		tty_give(getpgrp()); /* the terminal is ours again */
	res->timed_out = d->timed_out;
	res->interrupted = d->interrupted || interrupted();
	res->output_cut = d->output_cut;

	struct stream *st = rn->st;
	for (int i = 0; i < 2; i++)
		if (st[i].line_len && spec->on_line) {
			st[i].line[st[i].line_len] = '\0';
			spec->on_line(spec->ctx, st[i].line, st[i].line_len);
		}
	res->status = d->status;
	res->exit_code = WIFEXITED(d->status) ? WEXITSTATUS(d->status) : -1;
	res->signal = WIFSIGNALED(d->status) ? WTERMSIG(d->status) : 0;
	res->out = d->cap[0].buf ? d->cap[0].buf : xstrdup("");
	res->out_len = d->cap[0].len;
	res->out_truncated = d->cap[0].dropped > 0;
	res->err = d->cap[1].buf ? d->cap[1].buf : xstrdup("");
	res->err_len = d->cap[1].len;
	res->err_truncated = d->cap[1].dropped > 0;
	res->duration_s = now_seconds() - rn->start;
}

static int proc_run_once(const struct proc_spec *spec, struct proc_result *res,
			 struct gm_err **err)
{
	cleanup_free char **envp = build_env(spec->env);
	struct run rn = {.spec = spec};
	rn.start = now_seconds();
	rn.deadline = spec->timeout_s > 0 ? rn.start + spec->timeout_s : 0;
	memset(res, 0, sizeof(*res));
	if (start_child(spec, envp, &rn, res, err) < 0)
		return -1;
	pump(spec, &rn);
	finish(spec, &rn, res);
	return 0;
}

void proc_result_release(struct proc_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

char *proc_describe(const struct proc_result *res)
{
	if (res->exec_failed)
		return xasprintf("exec failed: %s", strerror(res->exec_errno));
	if (res->interrupted)
		return xstrdup("interrupted");
	if (res->timed_out && res->output_cut)
		return xasprintf("timed out after %.1f s: the output was cut, a descendant that left "
				 "the process group kept it open", res->duration_s);
	if (res->timed_out)
		return xasprintf("timed out after %.1f s", res->duration_s);
	if (res->signal)
		return xasprintf("killed by SIG%s", sigabbrev_np(res->signal) ?
				 sigabbrev_np(res->signal) : "?");
	return xasprintf("exit %d", res->exit_code);
}
