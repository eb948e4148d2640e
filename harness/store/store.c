#define _GNU_SOURCE
#include "store/store.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int store_check(const struct gm_config *cfg, struct gm_err **err)
{
	const char *root = cfg->store;
	struct stat st;

	for (const char *c = root; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (u > ' ' && u != 0x7f && !strchr(":;$", u))
			continue;
		char what[32];
		if (u > ' ' && u != 0x7f)
			snprintf(what, sizeof(what), "'%c'", u);
		else
			snprintf(what, sizeof(what), "a blank or control character");
		return gm_usage(err, "store path '%s' contains %s, which the loader's library "
				"paths or compiler flags cannot carry; set GLIBC_MATRIX_STORE to a "
				"path without it", root, what);
	}
	if (stat(root, &st) == 0 && !S_ISDIR(st.st_mode))
		return gm_usage(err, "store path '%s' exists and is not a directory", root);
	return 0;
}

int store_dir(const struct gm_config *cfg, const char *sub, char **ret, struct gm_err **err)
{
	char *p = path_join(cfg->store, sub);
	if (mkdir_p(p, 0755, err) < 0) {
		free(p);
		return gm_err_wrap(err, "store");
	}
	*ret = p;
	return 0;
}

bool store_name_valid(const char *name)
{
	size_t n = strlen(name);
	/* Not '.': hidden, "." and "..".  Not '-': an option to every tool. */
	if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") == n;
}

/* Whether a process of group has the file of fd open: a leftover of the
 * build that recorded the group inherited the lock's fd (store_lock keeps
 * it inheritable), an unrelated group that reused the id has not.  Reads
 * /proc; a process that vanishes meanwhile is skipped. */
static bool group_holds_file(int group, int fd)
{
	struct stat lock;
	struct dirent *e;
	bool found = false;
	DIR *proc;

	if (fstat(fd, &lock) < 0 || !(proc = opendir("/proc")))
		return false;
	while (!found && (e = readdir(proc))) {
		char path[300], buf[512], *paren;
		int pgrp = 0;
		ssize_t n;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		cleanup_close int sfd = open(path, O_RDONLY | O_CLOEXEC);
		if (sfd < 0 || (n = read(sfd, buf, sizeof(buf) - 1)) <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid pgrp ...": comm may hold spaces and ')'. */
		if (!(paren = strrchr(buf, ')')) || sscanf(paren + 1, " %*c %*d %d", &pgrp) != 1 ||
		    pgrp != group)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", e->d_name);
		DIR *fds = opendir(path);
		struct dirent *f;
		while (fds && !found && (f = readdir(fds))) {
			struct stat st;
			if (f->d_name[0] != '.' && fstatat(dirfd(fds), f->d_name, &st, 0) == 0)
				found = st.st_dev == lock.st_dev && st.st_ino == lock.st_ino;
		}
		if (fds)
			closedir(fds);
	}
	closedir(proc);
	return found;
}

bool store_fd_is_path(int fd, const char *path)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Opens path and takes its flock, waiting; -1 with *err, else the fd
 * (which may have been unlinked meanwhile: the caller checks). */
static int lock_once(const struct gm_ctx *ctx, const char *name, const char *path,
		     struct gm_err **err)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return gm_infra(err, errno, "cannot open lock '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	char buf[64] = "";
	int holder = 0, group = 0;
	/* Leftovers of a harness killed with -9: its group is killed, but
	 * only once a member is seen holding this lock file, since the
	 * recorded id may have been reused by an unrelated group. */
	if (pread(fd, buf, sizeof(buf) - 1, 0) > 0 &&
	    sscanf(buf, "%d %d", &holder, &group) == 2 && holder > 0 &&
	    kill(holder, 0) < 0 && errno == ESRCH && group > 1 &&
	    group_holds_file(group, fd))
		kill(-group, SIGKILL);
	else
		gm_note(ctx, "waiting for another build of '%s' (%s)", name, path);
	if (flock(fd, LOCK_EX) == 0)
		return fd;
	int e = errno;
	close(fd);
	/* EINTR from a signal: honour the interruption. */
	if (e == EINTR)
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "interrupted while waiting for '%s'",
				  path);
	return gm_infra(err, e, "cannot lock '%s'", path);
}

int store_lock(const struct gm_config *cfg, const struct gm_ctx *ctx, const char *name, int *ret_fd,
	       struct gm_err **err)
{
	cleanup_free char *dir = NULL;
	if (store_dir(cfg, "locks", &dir, err) < 0)
		return -1;
	cleanup_free char *path = xasprintf("%s/%s.lock", dir, name);
	int fd;
	while ((fd = lock_once(ctx, name, path, err)) >= 0 && !store_fd_is_path(fd, path))
		close(fd);
	if (fd < 0)
		return -1;
	store_lock_note_group(fd, 0);
	*ret_fd = fd;
	return 0;
}

void store_unlock(const struct gm_config *cfg, const char *name, int fd, bool remove)
{
	if (fd < 0)
		return;
	cleanup_free char *path = xasprintf("%s/locks/%s.lock", cfg->store, name);
	/* Unlinked before the flock goes: a waiter then finds the path gone
	 * or another file there, and locks again (store_lock). */
	if (remove && store_fd_is_path(fd, path))
		unlink(path);
	close(fd);
}

void store_lock_note_group(int fd, int pgid)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%d %d\n", (int)getpid(), pgid);
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, n, 0) != n)
		return; /* advisory only */
}

/* Entries of trash/ whose owner (the pid their name starts with) is gone:
 * what a killed harness could not finish removing. */
static void sweep_trash(const char *trash)
{
	DIR *d = opendir(trash);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (e->d_name[0] == '.' || *end != '.' || pid <= 0 || pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			cleanup_free char *old = path_join(trash, e->d_name);
			rm_rf(old, NULL);
		}
	}
	closedir(d);
}

int store_discard(const struct gm_config *cfg, const char *dir, struct gm_err **err)
{
	cleanup_free char *trash = NULL;
	if (!path_exists(dir))
		return 0;
	if (store_dir(cfg, "trash", &trash, err) < 0)
		return -1;
	sweep_trash(trash);
	/* A fresh empty directory named after us; rename() replaces it. */
	cleanup_free char *dest = xasprintf("%s/%d.XXXXXX", trash, (int)getpid());
	if (!mkdtemp(dest))
		return gm_infra(err, errno, "cannot create a directory in '%s'", trash);
	if (rename(dir, dest) < 0) {
		int e = errno;
		rmdir(dest);
		return gm_infra(err, e, "cannot move '%s' to '%s'", dir, dest);
	}
	return rm_rf(dest, err);
}

int store_publish(const struct gm_config *cfg, const char *stage, const char *final, struct gm_err **err)
{
	if (path_exists(final)) {
		if (renameat2(AT_FDCWD, stage, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
			fsync_parent(final);
			return store_discard(cfg, stage, err); /* now holds the old one */
		}
		if (errno != EINVAL && errno != ENOSYS)
			return gm_infra(err, errno, "cannot swap '%s' and '%s'", stage, final);
		if (store_discard(cfg, final, err) < 0)
			return -1;
	}
	if (rename(stage, final) < 0)
		return gm_infra(err, errno, "cannot rename '%s' to '%s'", stage, final);
	fsync_parent(final);
	return 0;
}
