#define _GNU_SOURCE
#include "hook/ldconfig.h"
#include "base/cleanup.h"
#include "base/drain.h"
#include "base/util.h"
#include "hook/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LDCONFIG_TIMEOUT_MS 60000
#define OUTPUT_MAX 16384

int ldconfig_open_trusted(const char *path, struct gm_err **err)
{
	struct stat st;
	if (path[0] != '/')
		return gm_infra(err, 0, "ldconfig '%s' is not an absolute path: refusing to run it", path);
	/* O_PATH is not enough: fexecve needs a file opened for reading. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return gm_infra(err, errno, "cannot open ldconfig '%s'", path);
	if (fstat(fd, &st) < 0)
		return gm_infra(err, errno, "cannot stat ldconfig '%s'", path);
	if (!S_ISREG(st.st_mode))
		return gm_infra(err, 0, "ldconfig '%s' is not a regular file: refusing to run it", path);
	if (st.st_uid != 0)
		return gm_infra(err, 0, "ldconfig '%s' is owned by uid %u, not root: refusing to run it",
				path, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return gm_infra(err, 0, "ldconfig '%s' is writable by %s (mode %04o): refusing to run it",
				path, st.st_mode & S_IWOTH ? "others" : "its group",
				(unsigned)(st.st_mode & 07777));
	if (!(st.st_mode & S_IXUSR))
		return gm_infra(err, 0, "ldconfig '%s' is not executable", path);
	int r = fd;
	fd = -1;
	return r;
}

int ldconfig_write_dropin(int rootfd, const char *lib_dir, struct inroot_undo *u,
			 struct gm_err **err)
{
	static const char what[] = "/" LDCONFIG_DROPIN_DIR "/" LDCONFIG_DROPIN_NAME;
	cleanup_close int dir = inroot_mkdirs(rootfd, LDCONFIG_DROPIN_DIR, u, err);
	if (dir < 0)
		return gm_err_wrap(err, "cannot write the ld.so.conf drop-in");
	/* O_NOFOLLOW: a link planted at the drop-in's name is refused, not
	 * followed (its parent was resolved inside the root already);
	 * O_NONBLOCK: a FIFO there cannot block the hook. */
	bool created = true;
	cleanup_close int fd = openat(dir, LDCONFIG_DROPIN_NAME,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
					      O_NOCTTY, 0644);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = openat(dir, LDCONFIG_DROPIN_NAME,
			    O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return gm_infra(err, errno == ELOOP ? 0 : errno, "cannot write '%s' in the container%s",
				what, errno == ELOOP ? ": it is a symbolic link" : "");
	if (created)
		inroot_undo_unlink(u, dir, LDCONFIG_DROPIN_NAME, what);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return gm_infra(err, errno, "cannot stat '%s' in the container", what);
	/* A hard link would make the write land in another file too. */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		return gm_infra(err, 0, "refusing to write '%s' in the container: %s", what,
				S_ISREG(st.st_mode) ? "it has other hard links" : "it is not a regular file");
	cleanup_free char *text = xasprintf("# written by glibc-inject: its injected libraries\n%s\n",
					    lib_dir);
	size_t len = strlen(text);
	if (ftruncate(fd, 0) < 0 || write(fd, text, len) != (ssize_t)len)
		return gm_infra(err, errno, "cannot write '%s' in the container", what);
	return 0;
}

/* Writes a fixed message; the child has nothing else to say it with. */
static void say(const char *msg, size_t len)
{
	if (write(STDERR_FILENO, msg, len) < 0) {
		/* nothing to add */
	}
}
#define SAY(m) say(m, sizeof(m) - 1)

/* In the child, its working directory the root: stacks a clone of the
 * root's own mount over it (OPEN_TREE_CLONE without AT_RECURSIVE: no
 * submount comes along) and attaches each bind at its path inside the
 * clone.  The clone's fd, or -1. */
static int make_view(const struct ldconfig_bind *binds, size_t n)
{
	int view = (int)open_tree(AT_FDCWD, ".", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (view < 0 || move_mount(view, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		int t = (int)syscall(SYS_openat2, view, binds[i].rel, &how, sizeof(how));
		if (t < 0 || move_mount(binds[i].tree, "", t, "",
					MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return -1;
		close(t);
	}
	return view;
}

/* The child: a private mount namespace, the view as working directory,
 * the checked ldconfig. */
static __attribute__((noreturn)) void child(int ldconfig_fd, int rootfd, const char *lib_dir,
					    const struct ldconfig_bind *binds, size_t n, int out)
{
	/* lib_dir on the command line as well: a tree without
	 * /etc/ld.so.conf (Debian's libc6 without libc-bin) never reads the
	 * drop-in, and ldconfig adds the directories it is given to those of
	 * its configuration. */
	char *const argv[] = {"ldconfig", "-r", ".", (char *)lib_dir, NULL};
	static char *const envp[] = {NULL};

	setpgid(0, 0);
	if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
		_exit(126);
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	/* Entered before unshare: the new namespace's copy of the working
	 * directory is then the copy of the root's mount, no path needed. */
	if (fchdir(rootfd) < 0) {
		SAY("ldconfig child: cannot enter the root\n");
		_exit(126);
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		SAY("ldconfig child: cannot make a private mount namespace\n");
		_exit(126);
	}
	int view = make_view(binds, n);
	if (view < 0 || fchdir(view) < 0) {
		SAY("ldconfig child: cannot make ldconfig's view of the root\n");
		_exit(126);
	}
	fexecve(ldconfig_fd, argv, envp);
	SAY("ldconfig child: cannot execute the trusted ldconfig\n");
	_exit(127);
}

/* Passes ldconfig's output on, one message a line. */
static void relay(const char *text)
{
	cleanup_free char *copy = xstrdup(text);
	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
		hook_msg("ldconfig: %s", line);
}

int ldconfig_run(int ldconfig_fd, int rootfd, const char *lib_dir, const struct ldconfig_bind *binds,
		size_t n_binds, struct gm_err **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return gm_infra(err, errno, "cannot run ldconfig: pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return gm_infra(err, e, "cannot run ldconfig: fork");
	}
	if (pid == 0)
		child(ldconfig_fd, rootfd, lib_dir, binds, n_binds, p[1]);
	setpgid(pid, pid); /* both sides: the group exists before the drain kills it */
	close(p[1]);

	/* stdout and stderr share the pipe: one stream, in the order written. */
	struct drain d;
	drain_init(&d, pid, p[0], -1, drain_now() + LDCONFIG_TIMEOUT_MS / 1000.0);
	d.cap[0].max = OUTPUT_MAX;
	drain_run(&d);
	struct drain_capture *out = &d.cap[0];
	bool said = out->len > 0;
	relay(out->buf ? out->buf : "");
	if (out->dropped)
		hook_msg("ldconfig: (%zu more bytes of its output not shown)", out->dropped);
	drain_capture_release(out);
	int status = d.status;
	if (d.timed_out)
		return gm_infra(err, 0, "ldconfig did not finish within %d s: killed",
				LDCONFIG_TIMEOUT_MS / 1000);
	if (WIFSIGNALED(status))
		return gm_infra(err, 0, "ldconfig was killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		return gm_infra(err, 0, "ldconfig -r <root> failed with exit %d%s", WEXITSTATUS(status),
				said ? " (its output is above)" : ", saying nothing");
	return 0;
}
