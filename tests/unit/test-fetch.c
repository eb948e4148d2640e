/* Downloads are bounded by the size an index announces, and part files
 * left by a killed harness are swept.  file:// URLs exercise the same
 * libcurl path as HTTP without a network. */
#define _GNU_SOURCE
#include "acquire/fetch.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/gm-test-fetch.XXXXXX";

static char *in_dir(const char *name)
{
	return path_join(dir, name);
}

static void touch(const char *name, time_t age_s)
{
	char *p = in_dir(name);
	TEST_COMPARE(write_file_atomic(p, "x", 1, 0644, NULL), 0);
	struct timespec ts[2] = {{time(NULL) - age_s, 0}, {time(NULL) - age_s, 0}};
	utimensat(AT_FDCWD, p, ts, 0);
	free(p);
}

static bool exists(const char *name)
{
	char *p = in_dir(name);
	bool r = path_exists(p);
	free(p);
	return r;
}

/* How many dest.bin.part.* files are in dir. */
static int parts_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += str_starts(e->d_name, "dest.bin.part.");
	closedir(d);
	return n;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void sweep_removes_dead_and_old_parts_only(void)
{
	char *dead = xasprintf("a.deb.part.%d", (int)dead_pid());
	char *live = xasprintf("b.deb.part.%d", (int)getppid());
	char *old = xasprintf("c.deb.part.%d", (int)getppid());
	char *mine = xasprintf("d.deb.part.%d", (int)getpid());
	touch(dead, 0);
	touch(live, 0);
	touch(old, 2 * 24 * 3600);
	touch(mine, 0);
	touch("e.part.notapid", 0);
	touch("f.deb", 2 * 24 * 3600);
	TEST_COMPARE(fetch_sweep_parts(dir), 2);
	TEST_VERIFY(!exists(dead));
	TEST_VERIFY(exists(live));
	TEST_VERIFY(!exists(old));
	TEST_VERIFY(exists(mine));   /* our own download in progress */
	TEST_VERIFY(exists("e.part.notapid"));
	TEST_VERIFY(exists("f.deb"));
	free(dead);
	free(live);
	free(old);
	free(mine);
}

/* A 100000-byte source, fetched with the right, a smaller and a larger
 * announced size. */
static void size_is_enforced(void)
{
	static char data[100000];
	memset(data, 'z', sizeof(data));
	char *src = in_dir("source.bin"), *dest = in_dir("dest.bin");
	char *url = xasprintf("file://%s", src);
	struct gm_err *e = NULL;
	TEST_COMPARE(write_file_atomic(src, data, sizeof(data), 0644, NULL), 0);

	TEST_COMPARE(fetch_file_sized(url, dest, NULL, sizeof(data) - 1, NULL, &e), -1);
	TEST_VERIFY(e && strstr(e->msg, "sends more than the 99999 bytes expected"));
	TEST_VERIFY(e && e->code == GM_EXIT_INFRA);
	gm_err_free(&e);
	TEST_VERIFY(!path_exists(dest));
	TEST_COMPARE(parts_left(), 0);

	TEST_COMPARE(fetch_file_sized(url, dest, NULL, sizeof(data) + 1, NULL, &e), -1);
	TEST_VERIFY(e && strstr(e->msg, "is 100000 bytes, expected 100001"));
	gm_err_free(&e);
	TEST_VERIFY(!path_exists(dest));
	TEST_COMPARE(parts_left(), 0);

	TEST_COMPARE(fetch_file_sized(url, dest, NULL, sizeof(data), NULL, &e), 0);
	TEST_VERIFY(e == NULL);
	TEST_VERIFY(path_is_file(dest));
	TEST_COMPARE(parts_left(), 0);
	free(src);
	free(dest);
	free(url);
}

/* Every later point works in it: no scratch directory is a failing point,
 * not an early exit that a runner would count as no tests at all. */
static void scratch_dir(void)
{
	TEST_VERIFY(mkdtemp(dir) != NULL);
}

int main(void)
{
	RUN_SETUP(scratch_dir);
	RUN_TEST(sweep_removes_dead_and_old_parts_only);
	RUN_TEST(size_is_enforced);
	rm_rf(dir, NULL);
	TAP_END();
}
