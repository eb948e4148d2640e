/* Paths and files: the file-system half of base/.  Every file the harness
 * writes goes through one atomic-write policy: a fresh hidden temporary
 * beside the target (.<name>.tmp.XXXXXX, never a predictable name two
 * writers could share), fsync, rename, then the parent directory synced. */
#define _GNU_SOURCE
#include "base/fs.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a);
	while (*b == '/')
		b++;
	if (n && a[n - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

bool path_exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

bool path_is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *path_real(const char *p, struct gm_err **err)
{
	char *r = realpath(p, NULL);
	if (!r)
		gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
			   "cannot resolve '%s'", p);
	return r;
}

int mkdir_p(const char *path, mode_t mode, struct gm_err **err)
{
	/* The common case, one stat: a run asks for each probe's directory
	 * in the store, and a mkdir per component was 850 calls. */
	if (path_is_dir(path))
		return 0;
	cleanup_free char *tmp = xstrdup(path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return gm_infra(err, errno, "cannot create directory '%s'", tmp);
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return gm_infra(err, errno, "cannot create directory '%s'", tmp);
	if (!path_is_dir(tmp))
		return gm_infra(err, ENOTDIR, "cannot create directory '%s'", tmp);
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) < 0 && errno != ENOENT ? -1 : 0;
	if (flag == FTW_DNR)
		return -1;
	return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

int rm_rf(const char *path, struct gm_err **err)
{
	if (!path_exists(path))
		return 0;
	/* FTW_PHYS: never follow a symlink out of the tree being removed. */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 && path_exists(path))
		return gm_infra(err, errno, "cannot remove '%s'", path);
	return 0;
}

static off_t size_acc;

static int size_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)p;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		size_acc += st->st_size;
	return 0;
}

off_t tree_size(const char *path)
{
	size_acc = 0;
	nftw(path, size_one, 32, FTW_PHYS);
	return size_acc;
}

static const char *file_type(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int fs_open_input(const char *path, struct gm_err **err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return gm_err_set(err, errno == ENOENT || errno == ENOTDIR ? GM_EXIT_USAGE : GM_EXIT_INFRA,
				  errno, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return gm_infra(err, e, "cannot stat '%s'", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return gm_usage(err, "'%s' is %s, not a regular file", path, file_type(st.st_mode));
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return gm_infra(err, e, "cannot use '%s'", path);
	}
	return fd;
}

int read_file(const char *path, char **ret, size_t *ret_len, struct gm_err **err)
{
	cleanup_close int fd = fs_open_input(path, err);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return -1;
	buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return gm_infra(err, errno, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = len;
	return 0;
}

void fsync_parent(const char *path)
{
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = '\0';
	cleanup_close int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		fsync(fd);
}

int fs_atomic_open(const char *path, mode_t mode, char **tmp, struct gm_err **err)
{
	const char *slash = strrchr(path, '/');
	char *t = slash ? xasprintf("%.*s/.%s.tmp.XXXXXX", (int)(slash - path), path, slash + 1)
			: xasprintf(".%s.tmp.XXXXXX", path);
	int fd = mkostemp(t, O_CLOEXEC);
	if (fd < 0) {
		gm_infra(err, errno, "cannot create a file beside '%s'", path);
		free(t);
		return -1;
	}
	if (fchmod(fd, mode & 07777) < 0) {
		gm_infra(err, errno, "cannot set the mode of '%s'", t);
		close(fd);
		unlink(t);
		free(t);
		return -1;
	}
	*tmp = t;
	return fd;
}

int fs_atomic_commit(int fd, const char *tmp, const char *path, struct gm_err **err)
{
	if (fd >= 0) {
		int bad = fsync(fd) < 0;
		int e = errno;
		if (close(fd) < 0 && !bad) {
			bad = 1;
			e = errno;
		}
		if (bad) {
			unlink(tmp);
			return gm_infra(err, e, "cannot write '%s'", path);
		}
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return gm_infra(err, e, "cannot rename '%s' to '%s'", tmp, path);
	}
	fsync_parent(path);
	return 0;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct gm_err **err)
{
	cleanup_free char *tmp = NULL;
	int fd = fs_atomic_open(path, mode, &tmp, err);
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			unlink(tmp);
			return gm_infra(err, e, "cannot write '%s'", tmp);
		}
		data += n;
		len -= (size_t)n;
	}
	return fs_atomic_commit(fd, tmp, path, err);
}

char *file_tail(const char *path, int n)
{
	char *buf = NULL;
	size_t len = 0;
	if (read_file(path, &buf, &len, NULL) < 0)
		return xstrdup("");
	size_t i = len;
	if (i && buf[i - 1] == '\n')
		i--;
	while (i > 0 && n > 0) {
		i--;
		if (buf[i] == '\n')
			n--;
	}
	if (buf[i] == '\n')
		i++;
	char *r = xstrdup(buf + i);
	free(buf);
	return r;
}

int copy_file(const char *src, const char *dst, struct gm_err **err)
{
	struct stat st;
	cleanup_close int in = fs_open_input(src, err);
	if (in < 0)
		return -1;
	if (fstat(in, &st) < 0)
		return gm_infra(err, errno, "cannot read '%s'", src);
	cleanup_close int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				     st.st_mode & 0777);
	if (out < 0)
		return gm_infra(err, errno, "cannot create '%s'", dst);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gm_infra(err, errno, "cannot read '%s'", src);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return gm_infra(err, errno, "cannot write '%s'", dst);
			off += w;
		}
	}
	return 0;
}

char *path_absolute(const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	char *cwd = getcwd(NULL, 0);
	char *r = path_join(cwd ? cwd : "/", path);
	free(cwd);
	return r;
}

char *fs_find_program(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(*d ? d : ".", name);
		if (access(p, X_OK) == 0 && path_is_file(p))
			return p;
		free(p);
	}
	return NULL;
}
