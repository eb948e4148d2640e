#define _GNU_SOURCE
#include "store/claim.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* This process's claim: a resource it holds (like an open lock), not
 * configuration; taken by whichever thread needs it first, released by
 * main. */
static pthread_mutex_t claim_mu = PTHREAD_MUTEX_INITIALIZER;
static int claim_fd = -1;
static char *claim_path;

/* Creates and locks runs/<pid>.XXXXXX.  A sweeper may open the new file
 * and take its flock before we do (it is not locked yet): it then removes
 * it as a dead claim, and we make another. */
static int claim_take(const struct gm_config *cfg, struct gm_err **err)
{
	cleanup_free char *runs = NULL;
	if (store_dir(cfg, "runs", &runs, err) < 0)
		return -1;
	for (;;) {
		char *path = xasprintf("%s/%d.XXXXXX", runs, (int)getpid());
		int fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			free(path);
			return gm_infra(err, e, "cannot create a file in '%s'", runs);
		}
		/* Readable by every harness sharing the store (mkostemp: 0600),
		 * to see whether it is held. */
		if (fchmod(fd, 0644) < 0) {
			int e = errno;
			close(fd);
			unlink(path);
			free(path);
			return gm_infra(err, e, "cannot make a claim in '%s' readable", runs);
		}
		while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
			;
		if (store_fd_is_path(fd, path)) {
			claim_fd = fd;
			claim_path = path;
			return 0;
		}
		close(fd);
		free(path);
	}
}

int store_claim(const struct gm_config *cfg, const char *note, struct gm_err **err)
{
	pthread_mutex_lock(&claim_mu);
	int r = claim_fd >= 0 ? 0 : claim_take(cfg, err);
	size_t n = note ? strlen(note) : 0;
	if (r == 0 && note &&
	    (ftruncate(claim_fd, 0) < 0 || pwrite(claim_fd, note, n, 0) != (ssize_t)n))
		r = gm_infra(err, errno, "cannot write '%s'", claim_path);
	pthread_mutex_unlock(&claim_mu);
	return r;
}

void store_claim_release(void)
{
	pthread_mutex_lock(&claim_mu);
	if (claim_fd >= 0) {
		unlink(claim_path);
		close(claim_fd);
		free(claim_path);
		claim_fd = -1;
		claim_path = NULL;
	}
	pthread_mutex_unlock(&claim_mu);
}

/* The pid of a claim's name "<pid>.<random>", or 0 for other names. */
static long claim_pid(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);
	return name[0] >= '1' && name[0] <= '9' && *end == '.' && end[1] ? pid : 0;
}

/* Opens a claim and tries its flock without waiting: the fd when it is
 * free (its process is gone) and still at path, else -1. */
static int take_if_gone(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 || !store_fd_is_path(fd, path)) {
		close(fd);
		return -1;
	}
	return fd;
}

size_t store_claims_sweep(const struct gm_config *cfg, void (*gone)(const char *note, void *arg),
			  void *arg)
{
	cleanup_free char *runs = path_join(cfg->store, "runs");
	pthread_mutex_lock(&claim_mu);
	cleanup_free char *ours = claim_path ? xstrdup(claim_path) : NULL;
	pthread_mutex_unlock(&claim_mu);
	DIR *d = opendir(runs);
	struct dirent *e;
	size_t n = 0;
	while (d && (e = readdir(d))) {
		cleanup_free char *path = path_join(runs, e->d_name);
		if (!claim_pid(e->d_name) || (ours && strcmp(path, ours) == 0))
			continue;
		int fd = take_if_gone(path);
		if (fd < 0)
			continue;
		char note[4096];
		ssize_t len = pread(fd, note, sizeof(note) - 1, 0);
		note[len > 0 ? len : 0] = '\0';
		gone(note, arg);
		unlink(path);
		close(fd);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

bool store_pid_claimed(const struct gm_config *cfg, long pid)
{
	cleanup_free char *runs = path_join(cfg->store, "runs");
	DIR *d = opendir(runs);
	struct dirent *e;
	bool held = false;
	while (d && !held && (e = readdir(d))) {
		if (claim_pid(e->d_name) != pid)
			continue;
		cleanup_free char *path = path_join(runs, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		close(fd);
	}
	if (d)
		closedir(d);
	return held;
}
