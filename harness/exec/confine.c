#define _GNU_SOURCE
#include "exec/confine.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mount.h>
#include <unistd.h>

static int close_fds(int *fds, size_t n, int ret)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return ret;
}

int confine_enter(const char *const *rw)
{
	int fds[CONFINE_RW_MAX];
	size_t n = 0;

	/* Slave, not private: an overlay the harness unmounts on the host
	 * after this point is unmounted here too, and keeps no bundle busy. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	/* The clones are taken before / turns read-only, so each keeps its
	 * mounts' own flags (a read-only mount below stays read-only). */
	for (; rw && rw[n]; n++) {
		if (n == CONFINE_RW_MAX)
			return close_fds(fds, n, -E2BIG);
		fds[n] = open_tree(AT_FDCWD, rw[n], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (fds[n] < 0)
			return close_fds(fds, n, -errno);
	}
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
		return close_fds(fds, n, -errno);
	for (size_t i = 0; i < n; i++)
		if (move_mount(fds[i], "", AT_FDCWD, rw[i], MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return close_fds(fds, n, -errno);
	return close_fds(fds, n, 0);
}

/* "lowerdir=A:B:..." into buf, without allocating; false if too long. */
static bool lowerdir(char *buf, size_t cap, const char *const *with)
{
	size_t n = 0;
	const char *pre = "lowerdir=";
	for (size_t i = 0; with[i]; i++) {
		for (const char *p = i ? ":" : pre; *p; p++)
			if (n + 1 < cap)
				buf[n++] = *p;
		for (const char *p = with[i]; *p; p++) {
			/* ':' and ',' would split the option */
			if (*p == ':' || *p == ',' || n + 1 >= cap)
				return false;
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return n + 1 < cap;
}

int confine_cover(const char *const *dirs, const char *const *with)
{
	char opt[4096];
	if (!with || !with[0])
		return -EINVAL;
	if (with[1] && !lowerdir(opt, sizeof(opt), with))
		return -ENAMETOOLONG;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	for (size_t i = 0; dirs[i]; i++) {
		if (with[1]) {
			if (mount("gm-cover", dirs[i], "overlay", MS_RDONLY, opt) < 0)
				return -errno;
		} else if (mount(with[0], dirs[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
			   mount(NULL, dirs[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
			return -errno;
		}
	}
	return 0;
}
