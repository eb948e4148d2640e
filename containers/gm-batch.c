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
 *   each after the files it alone needs, one a line:
 *         + <TAB> SOURCE <TAB> DESTINATION
 *   copied (their directories made) before it starts and removed after it
 *   ends, so a program's files exist for it only and cost the host nothing
 *   (the harness gives a tmpfs at /gm for them).  A file beyond STAGE_COPY_MAX
 *   becomes a symbolic link to its source instead (not copied into memory).
 * Output on stdout, for each program in order:
 *   "gm-batch: <i> exit <code> signal <sig> timeout <0|1> execerr <errno>
 *    out <n> err <n>\n" followed by n bytes of stdout and n of stderr
 * and a last line "gm-batch: end <count>\n".  Each program runs in its own
 * process group with its own timeout (the group is killed when it expires),
 * so a crash or a hang of one cannot hide the results of the others; the
 * first 64 KiB of each stream are kept.  Draining and timing follow
 * harness/base/drain.h, whose drain.c is compiled in (libc only).
 * Exit status: 0 when every program was run (whatever their outcomes), 2 on
 * a bad plan, 3 when a program could not be started at all. */
#define _GNU_SOURCE
#include "base/drain.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CAPTURE_MAX (64 * 1024) /* bytes kept per stream and program */
#define MAX_ARGS 64
#define MAX_STAGE 64
#define STAGE_COPY_MAX (64L << 20)

struct stage {
	char *src, *dst;
	char *dirs[16]; /* the directories made for dst, deepest last */
	int n_dirs;
	bool placed;
};

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

static int copy_fd(int in, int out, off_t size)
{
	while (size > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EINVAL || errno == ENOSYS))
			break; /* read and write below */
		if (n <= 0)
			return -1;
		size -= n;
	}
	char buf[65536];
	while (size > 0) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 0 : -1;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			off += w;
		}
		size -= n;
	}
	return 0;
}

/* Makes s->dst's missing directories, then the file: a copy with the
 * source's mode, or a symbolic link to a large source.  -1 + errno. */
static int stage_one(struct stage *s)
{
	for (char *p = s->dst + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		int r = mkdir(s->dst, 0755);
		if (r == 0 && s->n_dirs < (int)(sizeof(s->dirs) / sizeof(s->dirs[0])))
			s->dirs[s->n_dirs++] = strdup(s->dst);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -1;
	}
	int in = open(s->src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0) {
		int e = errno;
		if (in >= 0)
			close(in);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > STAGE_COPY_MAX) {
		close(in);
		if (symlink(s->src, s->dst) < 0)
			return -1;
		s->placed = true;
		return 0;
	}
	int out = open(s->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		int e = errno;
		close(in);
		errno = e;
		return -1;
	}
	s->placed = true;
	int r = copy_fd(in, out, st.st_size);
	int e = errno;
	close(in);
	if (close(out) < 0 && r == 0) {
		r = -1;
		e = errno;
	}
	errno = e;
	return r;
}

/* Removes what stage_one made (a directory the program filled stays). */
static void unstage(struct stage *s)
{
	if (s->placed)
		unlink(s->dst);
	while (s->n_dirs > 0) {
		char *d = s->dirs[--s->n_dirs];
		rmdir(d);
		free(d);
	}
	free(s->src);
	free(s->dst);
	memset(s, 0, sizeof(*s));
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
		signal(SIGXFSZ, SIG_DFL);
		execv(argv[0], argv);
		int e = errno;
		/* The parent learns the exec failure over the CLOEXEC pipe. */
		if (write(note[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid); /* both sides: the group exists before the drain kills it */
	close(out[1]);
	close(errp[1]);
	close(note[1]);
	/* Drained and timed by the rule of every spawner of glibc-matrix
	 * (harness/base/drain.h): the group killed at the deadline and before
	 * the reap, a descendant that left it read no longer than that. */
	struct drain d;
	drain_init(&d, pid, out[0], errp[0], drain_now() + timeout_ms / 1000.0);
	d.cap[0].max = d.cap[1].max = CAPTURE_MAX;
	drain_run(&d);
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
			  idx, WIFEXITED(d.status) ? WEXITSTATUS(d.status) : -1,
			  WIFSIGNALED(d.status) ? WTERMSIG(d.status) : 0, d.timed_out, exec_errno,
			  d.cap[0].len, d.cap[1].len);
	write_all(head, (size_t)hn);
	for (int i = 0; i < 2; i++) {
		write_all(d.cap[i].buf, d.cap[i].len);
		drain_capture_release(&d.cap[i]);
	}
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
	signal(SIGXFSZ, SIG_IGN); /* a staged copy too large fails with EFBIG */
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int idx = 0;
	struct stage stages[MAX_STAGE];
	int n_stages = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '+') {
			char *src = line[1] == '\t' ? line + 2 : NULL;
			char *tab = src ? strchr(src, '\t') : NULL;
			if (!tab || n_stages == MAX_STAGE || tab == src || !tab[1] || strchr(tab + 1, '\t') ||
			    src[0] != '/' || tab[1] != '/') {
				fprintf(stderr, "gm-batch: plan line %d: want +<TAB>SOURCE<TAB>DESTINATION "
						"(at most %d per program)\n", idx + 1, MAX_STAGE);
				return 2;
			}
			*tab = '\0';
			stages[n_stages++] = (struct stage){.src = strdup(src), .dst = strdup(tab + 1)};
			continue;
		}
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
		for (int k = 0; k < n_stages; k++)
			if (!stages[k].src || !stages[k].dst || stage_one(&stages[k]) < 0) {
				fprintf(stderr, "gm-batch: program %d: cannot put '%s' at '%s': %s\n", idx,
					stages[k].src, stages[k].dst, strerror(errno));
				return 3;
			}
		if (run_one(idx, timeout_ms, args + 1) < 0) {
			fprintf(stderr, "gm-batch: program %d: %s\n", idx, strerror(errno));
			return 3;
		}
		for (int k = n_stages - 1; k >= 0; k--)
			unstage(&stages[k]);
		n_stages = 0;
		idx++;
	}
	char tail[64];
	int tn = snprintf(tail, sizeof(tail), "gm-batch: end %d\n", idx);
	write_all(tail, (size_t)tn);
	return 0;
}
