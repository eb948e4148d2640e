#define _GNU_SOURCE
#include "base/util.h"
#include "base/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <malloc.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s);
	if (!r)
		abort();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (!r)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	return r;
}

void gm_strv_freep(char ***v)
{
	strv_free(*v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_push_take(char ***v, char *s)
{
	size_t n = strv_len(*v);
	/* Grow by doubling: the block's real size says whether a slot is free
	 * (vectors are malloc'd however they were made), so pushes do not
	 * realloc each time. */
	if (!*v || malloc_usable_size(*v) < (n + 2) * sizeof(char *))
		*v = xrealloc(*v, 2 * (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

void strv_push(char ***v, const char *s)
{
	strv_push_take(v, xstrdup(s));
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *str_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && !isdigit((unsigned char)*a)) || (*b && !isdigit((unsigned char)*b)))
			return strcmp(a, b);
	}
	return 0;
}

bool version_valid(const char *s)
{
	int dots = 0;
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (!isdigit((unsigned char)s[1]))
				return false;
			dots++;
		} else if (!isdigit((unsigned char)*s)) {
			return false;
		}
	}
	return dots == 1 || dots == 2;
}

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

int read_file(const char *path, char **ret, size_t *ret_len, struct gm_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
				  "cannot open '%s'", path);
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

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
		      struct gm_err **err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return gm_infra(err, errno, "cannot create '%s'", tmp);
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
		len -= n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return gm_infra(err, e, "cannot write '%s'", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return gm_infra(err, e, "cannot rename '%s' to '%s'", tmp, path);
	}
	fsync_parent(path);
	return 0;
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

void hex_digest(const unsigned char *md, unsigned n, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;
	for (i = 0; i < n && i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * i] = '\0';
}

void sha256_buf(const void *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	hex_digest(md, n, out);
}

int sha256_file(const char *path, char out[65], struct gm_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	static char buf[1 << 16];

	if (fd < 0)
		return gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
				  "cannot open '%s'", path);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			EVP_MD_CTX_free(ctx);
			return gm_infra(err, errno, "cannot read '%s'", path);
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, r);
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	hex_digest(md, n, out);
	return 0;
}

char *now_rfc3339(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[64];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int copy_file(const char *src, const char *dst, struct gm_err **err)
{
	struct stat st;
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0)
		return gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
				  "cannot read '%s'", src);
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

#ifndef GM_DATADIR
#define GM_DATADIR "/usr/local/share/glibc-matrix"
#endif

char *data_dir(const char *env, const char *sub, const char *marker)
{
	const char *e = getenv(env);
	if (e && *e)
		return xstrdup(e);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		char *d = path_join(exe, sub);
		cleanup_free char *probe = path_join(d, marker);
		if (path_is_file(probe))
			return d;
		free(d);
	}
	return path_join(GM_DATADIR, sub);
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
