#define _GNU_SOURCE
#include "hook/scratch.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The first mount point of /proc/self/mountinfo below dir, or NULL. */
static int mounted_below(const char *dir, char **ret, struct gm_err **err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return gm_infra(err, errno, "cannot read /proc/self/mountinfo");
	size_t n = strlen(dir);
	char *line = NULL;
	size_t cap = 0;
	*ret = NULL;
	while (!*ret && getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mount-point ... */
		char *save = NULL, *field = strtok_r(line, " ", &save);
		for (int i = 1; field && i < 5; i++)
			field = strtok_r(NULL, " ", &save);
		if (!field)
			continue;
		unescape(field);
		if (strncmp(field, dir, n) == 0 && field[n] == '/')
			*ret = xstrdup(field);
	}
	free(line);
	fclose(f);
	return 0;
}

int scratch_usable(int rootfd, int dirfd, char **why, struct gm_err **err)
{
	struct stat r, d;
	if (fstat(rootfd, &r) < 0 || fstat(dirfd, &d) < 0)
		return gm_infra(err, errno, "cannot stat a directory of the container");
	/* An overlay over the root itself would cover the runtime's own
	 * mounts (/proc, /dev) below it. */
	if (r.st_dev == d.st_dev && r.st_ino == d.st_ino) {
		*why = xstrdup("it is the root, over the runtime's own mounts");
		return 0;
	}
	char proc[64], path[PATH_MAX];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	ssize_t n = readlink(proc, path, sizeof(path) - 1);
	if (n <= 0)
		return gm_infra(err, errno, "cannot name a directory of the container");
	path[n] = '\0';
	cleanup_free char *below = NULL;
	if (mounted_below(path, &below, err) < 0)
		return -1;
	*why = below ? xasprintf("it would hide the mount on '%s'", below) : NULL;
	return 0;
}

/* Makes sub/ (with its parents) and the empty files in it below dir. */
static int make_entries(int dir, const char *sub, char *const *files)
{
	cleanup_close int at = fcntl(dir, F_DUPFD_CLOEXEC, 3);
	cleanup_strv char **parts = strv_split(sub, "/");
	for (size_t i = 0; at >= 0 && parts && parts[i]; i++) {
		if (!*parts[i])
			continue;
		if (mkdirat(at, parts[i], 0755) < 0 && errno != EEXIST)
			return -1;
		int next = openat(at, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(at);
		at = next;
	}
	if (at < 0)
		return -1;
	for (size_t i = 0; files && files[i]; i++) {
		int fd = openat(at, files[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* A fresh tmpfs, detached, with upper/ (dir's owner and mode, and the
 * entries to make) and work/. */
static int scratch_tmpfs(const struct stat *dir, const char *sub, char *const *files, int *mnt,
			 int *upper, int *work, struct gm_err **err)
{
	cleanup_close int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "size", SCRATCH_TMPFS_SIZE, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return gm_infra(err, errno, "cannot make a tmpfs");
	cleanup_close int m = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
	if (m < 0 || mkdirat(m, "upper", 0755) < 0 || mkdirat(m, "work", 0700) < 0)
		return gm_infra(err, errno, "cannot make a tmpfs");
	*upper = openat(m, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*work = openat(m, "work", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* The overlay's root takes the upper layer's owner and mode. */
	if (*upper < 0 || *work < 0 || fchown(*upper, dir->st_uid, dir->st_gid) < 0 ||
	    fchmod(*upper, dir->st_mode & 07777) < 0)
		return gm_infra(err, errno, "cannot make a tmpfs");
	if (make_entries(*upper, sub, files) < 0)
		return gm_infra(err, errno, "cannot make the files to bind over in a tmpfs");
	*mnt = steal_fd(&m);
	return 0;
}

static int set_dir(int fs, const char *key, int fd)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return fsconfig(fs, FSCONFIG_SET_STRING, key, p, 0);
}

/* The overlay, detached.  overlayfs takes a private clone of its upper
 * layer's mount, which it can only make of a mount in this namespace: the
 * tmpfs is attached over the directory itself for that moment (dirfd still
 * names the directory below it, the lower layer), then detached again. */
static int make_overlay(int dirfd, int mnt, int upper, int work, bool ro, struct gm_err **err)
{
	if (move_mount(mnt, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return gm_infra(err, errno, "cannot attach a tmpfs");
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	int ovl = -1;
	/* The layers are named through this process's fds, never by a path
	 * an image could redirect. */
	if (fs >= 0 && set_dir(fs, "lowerdir", dirfd) == 0 && set_dir(fs, "upperdir", upper) == 0 &&
	    set_dir(fs, "workdir", work) == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		ovl = fsmount(fs, FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0);
	int e = errno;
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", mnt);
	if (umount2(p, MNT_DETACH) < 0) {
		e = errno;
		if (ovl >= 0)
			close(ovl);
		return gm_infra(err, e, "cannot detach a tmpfs");
	}
	if (ovl < 0)
		return gm_infra(err, e, "cannot make an overlay");
	return ovl;
}

int scratch_mount(int dirfd, const char *sub, char *const *files, const char *what,
		  struct inroot_undo *u, struct gm_err **err)
{
	struct stat st;
	struct statvfs sv;
	if (fstat(dirfd, &st) < 0 || fstatvfs(dirfd, &sv) < 0)
		return gm_infra(err, errno, "cannot stat %s", what);
	cleanup_close int mnt = -1, upper = -1, work = -1;
	if (scratch_tmpfs(&st, sub, files, &mnt, &upper, &work, err) < 0)
		return gm_err_wrap(err, "an overlay on %s", what);
	cleanup_close int ovl = make_overlay(dirfd, mnt, upper, work, sv.f_flag & ST_RDONLY, err);
	if (ovl < 0)
		return gm_err_wrap(err, "on %s", what);
	if (move_mount(ovl, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return gm_infra(err, errno, "cannot mount an overlay on %s", what);
	int journal = fcntl(ovl, F_DUPFD_CLOEXEC, 3);
	if (journal < 0)
		return gm_infra(err, errno, "cannot mount an overlay on %s", what);
	cleanup_free char *step = xasprintf("the overlay on %s", what);
	inroot_undo_umount(u, journal, step);
	return steal_fd(&ovl);
}
