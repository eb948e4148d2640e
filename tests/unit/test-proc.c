/* The spawn module: statuses, signals, timeouts that kill the whole group,
 * exec failures, both streams drained with a cap; the rlimit-only
 * containment (orphan sweep, RLIMIT_AS).  Cgroups: tests/070-hostile.bats. */
#include "exec/proc.h"
#include "base/fs.h"
#include "base/interrupt.h"
#include "base/util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static int run(char **argv, double timeout, size_t cap, struct proc_result *res)
{
	struct proc_spec spec = {.argv = argv, .timeout_s = timeout, .capture_max = cap,
				 .log_fd = -1, .stdin_fd = -1};
	return proc_run(&spec, res, NULL);
}

static void exit_status_and_streams(void)
{
	char *argv[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct proc_result r;
	TEST_COMPARE(run(argv, 10, 1024, &r), 0);
	TEST_COMPARE(r.exit_code, 3);
	TEST_COMPARE(r.signal, 0);
	TEST_COMPARE_STRING(r.out, "out\n");
	TEST_COMPARE_STRING(r.err, "err\n");
	proc_result_release(&r);
}

static void signal_is_reported(void)
{
	char *argv[] = {"sh", "-c", "kill -SEGV $$", NULL};
	struct proc_result r;
	TEST_COMPARE(run(argv, 10, 0, &r), 0);
	TEST_COMPARE(r.signal, SIGSEGV);
	TEST_COMPARE(r.exit_code, -1);
	char *d = proc_describe(&r);
	TEST_COMPARE_STRING(d, "killed by SIGSEGV");
	free(d);
	proc_result_release(&r);
}

/* Running, as opposed to gone or a zombie waiting for init to reap it. */
static bool alive(int pid)
{
	for (int i = 0; i < 50; i++) {
		char *path = xasprintf("/proc/%d/stat", pid);
		char *text = NULL;
		int r = read_file(path, &text, NULL, NULL);
		free(path);
		if (r < 0)
			return false;
		char *close_paren = strrchr(text, ')');
		bool zombie = close_paren && close_paren[1] && close_paren[2] == 'Z';
		free(text);
		if (zombie)
			return false;
		usleep(20000);
	}
	return true;
}

static void timeout_kills_group(void)
{
	/* The grandchild writes its pid, then everything sleeps. */
	char tmpl[] = "/tmp/gm-proc-XXXXXX";
	int fd = mkstemp(tmpl);
	close(fd);
	char *cmd = xasprintf("sleep 300 & echo $! > %s; sleep 300", tmpl);
	char *argv[] = {"sh", "-c", cmd, NULL};
	struct proc_result r;
	double t0 = now_seconds();
	TEST_COMPARE(run(argv, 0.5, 0, &r), 0);
	TEST_VERIFY(r.timed_out);
	TEST_VERIFY(now_seconds() - t0 < 10);
	char *text = NULL;
	TEST_COMPARE(read_file(tmpl, &text, NULL, NULL), 0);
	int gpid = atoi(text ? text : "0");
	TEST_VERIFY(gpid > 0);
	TEST_VERIFY(gpid > 0 && !alive(gpid)); /* no orphan left */
	unlink(tmpl);
	free(text);
	free(cmd);
	proc_result_release(&r);
}

/* Without cgroups: a setsid()ed grandchild, orphaned at once, comes back to
 * us as subreaper and the sweep kills and reaps it (no zombie either). */
static void escaper_is_swept(void)
{
	char tmpl[] = "/tmp/gm-proc-XXXXXX";
	int fd = mkstemp(tmpl);
	close(fd);
	char *cmd = xasprintf("setsid sh -c 'sleep 300 >/dev/null 2>&1 & echo $! > %s'; exit 0", tmpl);
	char *argv[] = {"sh", "-c", cmd, NULL};
	struct proc_spec spec = {.argv = argv, .timeout_s = 20, .log_fd = -1, .stdin_fd = -1,
				 .sweep_orphans = true};
	struct proc_result r;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	TEST_COMPARE(r.exit_code, 0);
	char *text = NULL;
	TEST_COMPARE(read_file(tmpl, &text, NULL, NULL), 0);
	int pid = atoi(text ? text : "0");
	TEST_VERIFY(pid > 0);
	TEST_VERIFY(pid > 0 && kill(pid, 0) < 0); /* gone, reaped */
	if (pid > 0)
		kill(pid, SIGKILL);
	unlink(tmpl);
	free(text);
	free(cmd);
	proc_result_release(&r);
}

/* Without cgroups: the child exits at once, its setsid()ed grandchild
 * keeps writing to the output pipe (for 30 s at most).  The cell's deadline
 * holds after the reap: the call returns at it, a timeout with the output
 * cut, not when the grandchild is done.  With stop_at > 0 the grandchild
 * sends us SIGTERM after that many seconds and there is no deadline: the
 * interrupt ends the call. */
static void writer_after_reap(double timeout, double stop_at, struct proc_result *r, int *gpid)
{
	char tmpl[] = "/tmp/gm-proc-XXXXXX";
	int fd = mkstemp(tmpl);
	close(fd);
	char *stop = stop_at > 0 ? xasprintf("sleep %g; kill -TERM %d;", stop_at, (int)getpid())
				 : xstrdup("");
	/* The child waits for the pid file: until setsid() the grandchild is
	 * in the child's group, which dies with the child. */
	char *cmd = xasprintf("setsid sh -c 'echo $$ > %s; %s i=0; while [ $i -lt 300 ]; do "
			      "echo tick; sleep 0.1; i=$((i + 1)); done' & "
			      "while [ ! -s %s ]; do sleep 0.05; done; exit 0", tmpl, stop, tmpl);
	char *argv[] = {"sh", "-c", cmd, NULL};
	struct proc_spec spec = {.argv = argv, .timeout_s = timeout, .capture_max = 1 << 16,
				 .log_fd = -1, .stdin_fd = -1, .sweep_orphans = true};
	double t0 = now_seconds();
	TEST_COMPARE(proc_run(&spec, r, NULL), 0);
	TEST_VERIFY(now_seconds() - t0 < 10); /* not the grandchild's 30 s */
	char *text = NULL;
	TEST_COMPARE(read_file(tmpl, &text, NULL, NULL), 0);
	*gpid = atoi(text ? text : "0");
	TEST_VERIFY(*gpid > 0);
	if (*gpid > 0)
		kill(*gpid, SIGKILL); /* whatever the sweep did */
	unlink(tmpl);
	free(text);
	free(cmd);
	free(stop);
}

static void deadline_holds_after_reap(void)
{
	struct proc_result r;
	int gpid = 0;
	writer_after_reap(1.5, 0, &r, &gpid);
	TEST_COMPARE(r.exit_code, 0);
	TEST_VERIFY(r.timed_out);
	TEST_VERIFY(r.output_cut);
	TEST_VERIFY(strstr(r.out, "tick\n") != NULL);
	char *d = proc_describe(&r);
	TEST_VERIFY(strstr(d, "a descendant that left the process group kept it open") != NULL);
	free(d);
	proc_result_release(&r);
}

/* Last: the interrupt flag stays raised for the rest of the process. */
static void interrupt_holds_after_reap(void)
{
	interrupt_install();
	struct proc_result r;
	int gpid = 0;
	writer_after_reap(0, 1, &r, &gpid);
	TEST_COMPARE(r.exit_code, 0);
	TEST_VERIFY(r.interrupted);
	TEST_VERIFY(!r.timed_out);
	TEST_VERIFY(r.output_cut);
	proc_result_release(&r);
}

/* The memory bound of rlimit-only mode: dd cannot get a 200 MiB buffer. */
static void rlimit_as_bounds_memory(void)
{
	char *argv[] = {"dd", "if=/dev/zero", "of=/dev/null", "bs=200M", "count=1", NULL};
	struct proc_spec spec = {.argv = argv, .timeout_s = 20, .capture_max = 4096, .log_fd = -1,
				 .stdin_fd = -1, .rlimit_as = 64L << 20};
	struct proc_result r;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	TEST_COMPARE(r.exit_code, 1);
	TEST_VERIFY(strstr(r.err, "memory exhausted") != NULL);
	proc_result_release(&r);
	spec.rlimit_as = 0;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	TEST_COMPARE(r.exit_code, 0);
	proc_result_release(&r);
}

static void exec_failure_is_distinct(void)
{
	char *argv[] = {"/nonexistent/program", NULL};
	struct proc_result r;
	TEST_COMPARE(run(argv, 10, 0, &r), 0);
	TEST_VERIFY(r.exec_failed);
	char *d = proc_describe(&r);
	TEST_COMPARE_STRING(d, "exec failed: No such file or directory");
	free(d);
	proc_result_release(&r);
}

/* A file the kernel cannot run (here: text without "#!", as a loader of
 * another architecture is to this kernel) is ENOEXEC, never handed to
 * /bin/sh as execvp does, with a name searched in PATH as with a path. */
static void enoexec_is_not_run_by_a_shell(void)
{
	char dir[] = "/tmp/gm-test-proc.XXXXXX";
	TEST_VERIFY(mkdtemp(dir) != NULL);
	char *file = xasprintf("%s/not-a-program", dir);
	char *mark = xasprintf("%s/ran", dir);
	char *text = xasprintf("touch %s\n", mark);
	TEST_COMPARE(write_file_atomic(file, text, strlen(text), 0755, NULL), 0);
	char *argv[] = {file, NULL};
	struct proc_result r;
	TEST_COMPARE(run(argv, 10, 100, &r), 0);
	TEST_VERIFY(r.exec_failed);
	TEST_COMPARE(r.exec_errno, ENOEXEC);
	proc_result_release(&r);
	char *path = getenv("PATH") ? xstrdup(getenv("PATH")) : NULL;
	char *with_dir = xasprintf("%s:%s", dir, path ? path : "/usr/bin:/bin");
	setenv("PATH", with_dir, 1);
	char *by_name[] = {"not-a-program", NULL};
	TEST_COMPARE(run(by_name, 10, 100, &r), 0);
	TEST_VERIFY(r.exec_failed);
	TEST_COMPARE(r.exec_errno, ENOEXEC);
	proc_result_release(&r);
	if (path)
		setenv("PATH", path, 1);
	TEST_VERIFY(!path_exists(mark));
	unlink(file);
	rmdir(dir);
	free(path);
	free(with_dir);
	free(file);
	free(mark);
	free(text);
}

static void capture_is_capped_and_drained(void)
{
	/* 1 MiB on each stream: without concurrent draining this deadlocks. */
	char *argv[] = {"sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2",
			NULL};
	struct proc_result r;
	TEST_COMPARE(run(argv, 20, 1000, &r), 0);
	TEST_COMPARE(r.exit_code, 0);
	TEST_COMPARE(r.out_len, 1000);
	TEST_VERIFY(r.out_truncated);
	TEST_COMPARE(r.err_len, 1000);
	proc_result_release(&r);
}

static int lines;
static void count_line(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	(void)line;
	(void)len;
	lines++;
}

static void lines_are_delivered(void)
{
	char *argv[] = {"sh", "-c", "printf 'a\\nb\\nc'", NULL};
	struct proc_spec spec = {.argv = argv, .log_fd = -1, .stdin_fd = -1,
				 .on_line = count_line};
	struct proc_result r;
	lines = 0;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	TEST_COMPARE(lines, 3);
	proc_result_release(&r);
}

static void environment_delta(void)
{
	setenv("GM_TEST_UNSET_ME", "x", 1);
	char *env[] = {"GM_TEST_SET=yes", "GM_TEST_UNSET_ME", NULL};
	char *argv[] = {"sh", "-c", "echo \"$GM_TEST_SET-${GM_TEST_UNSET_ME-unset}\"", NULL};
	struct proc_spec spec = {.argv = argv, .env = env, .capture_max = 100, .log_fd = -1,
				 .stdin_fd = -1};
	struct proc_result r;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	TEST_COMPARE_STRING(r.out, "yes-unset\n");
	proc_result_release(&r);
}

/* .writable: the child can write its writable directory only; the parent's
 * own mounts stay as they were.  Needs root (a mount namespace): skipped
 * elsewhere, with the reason. */
static void writable_confines(void)
{
	char rw[] = "/var/tmp/gm-confine-unit-rw.XXXXXX", other[] = "/var/tmp/gm-confine-unit.XXXXXX";
	if (!mkdtemp(rw) || !mkdtemp(other)) {
		TEST_VERIFY(!"mkdtemp");
		return;
	}
	char *script = xasprintf("echo a >%s/in && echo b >%s/new", rw, other);
	char *argv[] = {"sh", "-c", script, NULL};
	const char *const writable[] = {rw, NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 4096, .log_fd = -1, .stdin_fd = -1,
				 .writable = writable};
	struct proc_result r;
	TEST_COMPARE(proc_run(&spec, &r, NULL), 0);
	if (r.exec_failed && r.exec_errno == EPERM) {
		printf("# skipped: no mount namespace here (not root)\n");
	} else {
		TEST_VERIFY(!r.exec_failed);
		TEST_COMPARE(r.exit_code, 2);
		TEST_VERIFY(strstr(r.err, "Read-only file system"));
		char *in = path_join(rw, "in"), *out = path_join(other, "new");
		TEST_VERIFY(path_exists(in));
		TEST_VERIFY(!path_exists(out));
		/* Nothing leaked back: this process still writes there. */
		TEST_COMPARE(write_file_atomic(out, "c", 1, 0644, NULL), 0);
		free(in);
		free(out);
	}
	proc_result_release(&r);
	free(script);
	TEST_COMPARE(rm_rf(rw, NULL), 0);
	TEST_COMPARE(rm_rf(other, NULL), 0);
}

int main(void)
{
	RUN_TEST(exit_status_and_streams);
	RUN_TEST(signal_is_reported);
	RUN_TEST(timeout_kills_group);
	RUN_TEST(exec_failure_is_distinct);
	RUN_TEST(enoexec_is_not_run_by_a_shell);
	RUN_TEST(writable_confines);
	/* No cgroups from a unit test: the fallback, whose subreaper the
	 * sweep relies on. */
	struct gm_config cfg;
	config_from_env(&cfg, (char *[]){"GLIBC_MATRIX_CONTAINMENT=rlimit-only", NULL}, NULL);
	contain_setup(&cfg);
	TEST_COMPARE_STRING(contain_mode_name(), "rlimit-only");
	RUN_TEST(escaper_is_swept);
	RUN_TEST(rlimit_as_bounds_memory);
	RUN_TEST(capture_is_capped_and_drained);
	RUN_TEST(lines_are_delivered);
	RUN_TEST(environment_delta);
	RUN_TEST(deadline_holds_after_reap);
#ifdef __SANITIZE_THREAD__
	/* The CLONE_VM child's signal(SIGTERM, SIG_DFL) lands in TSan's
	 * handler table, which it shares with us: our handler is lost. */
	printf("ok %d - interrupt_holds_after_reap # SKIP ThreadSanitizer cannot follow "
	       "clone(CLONE_VM)\n", ++tap_count);
	(void)interrupt_holds_after_reap;
#else
	RUN_TEST(interrupt_holds_after_reap);
#endif
	config_release(&cfg);
	TAP_END();
}
