/* The hook's parts that need no container: the state and config.json
 * parser, and path resolution inside a root (links out of the tree land
 * inside it; created directories are journalled and taken back).  A
 * private temporary tree; no privileges needed. */
#define _GNU_SOURCE
#include "base/fs.h"
#include "base/util.h"
#include "hook/inroot.h"
#include "hook/state.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/gm-hook-XXXXXX";

static char *at(const char *rel)
{
	return path_join(dir, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	TEST_VERIFY(write_file_atomic(p, text, strlen(text), 0644, NULL) == 0);
	free(p);
}

static void dir_at(const char *rel)
{
	char *p = at(rel);
	TEST_VERIFY(mkdir(p, 0755) == 0 || errno == EEXIST);
	free(p);
}

static void link_at(const char *target, const char *rel)
{
	char *p = at(rel);
	TEST_VERIFY(symlink(target, p) == 0);
	free(p);
}

/* Parses state JSON; returns the error message (or NULL) and fills *st. */
static char *parse(const char *json, struct hook_state *st)
{
	struct gm_err *err = NULL;
	char *msg = NULL;
	if (hook_state_parse(json, strlen(json), st, &err) < 0) {
		TEST_COMPARE(err->code, GM_EXIT_FINDINGS);
		msg = xstrdup(err->msg);
		gm_err_free(&err);
	}
	return msg;
}

static void test_state(void)
{
	struct hook_state st;
	char *b = at("bundle"), *json = xasprintf("{\"ociVersion\": \"1.0.2\", \"id\": \"c1\", "
						   "\"pid\": 42, \"bundle\": \"%s\"}\n", b);
	mkdir(b, 0755);
	put("bundle/config.json", "{\"root\": {\"path\": \"rootfs\"}}");
	char *msg = parse(json, &st);
	TEST_VERIFY(msg == NULL);
	TEST_COMPARE(st.pid, 42);
	TEST_COMPARE_STRING(st.id, "c1");
	char *want = path_join(b, "rootfs");
	TEST_COMPARE_STRING(st.rootfs, want);
	hook_state_release(&st);

	put("bundle/config.json", "{\"root\": {\"path\": \"/run/x/rootfs\", \"readonly\": true}}");
	TEST_VERIFY(parse(json, &st) == NULL);
	TEST_COMPARE_STRING(st.rootfs, "/run/x/rootfs");
	hook_state_release(&st);

	put("bundle/config.json", "{\"root\": {\"path\": \"\"}}");
	msg = parse(json, &st);
	TEST_VERIFY(msg && strstr(msg, "has no root.path"));
	free(msg);
	put("bundle/config.json", "[1, 2]");
	msg = parse(json, &st);
	TEST_VERIFY(msg && strstr(msg, "config.json' is not a JSON object"));
	free(msg);

	static const struct {
		const char *json, *want;
	} bad[] = {
		{"", "is empty"},
		{" \n", "is empty"},
		{"{\"pid\": 1", "it ends too early"},
		{"{\"pid\": 1}{}", "text after the document"},
		{"{\"pid\": \"1\", \"bundle\": \"/b\"}", "has no pid"},
		{"{\"pid\": 0, \"bundle\": \"/b\"}", "has no pid"},
		{"{\"pid\": 4294967297, \"bundle\": \"/b\"}", "has no pid"},
		{"{\"pid\": 1, \"bundle\": \"\"}", "has no bundle"},
		{"{\"pid\": 1, \"bundle\": \"rel\"}", "the bundle 'rel' is not an absolute path"},
		{"{\"pid\": 1, \"bundle\": \"/nonexistent/b\"}", "the bundle '/nonexistent/b'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = parse(bad[i].json, &st);
		if (!msg || !strstr(msg, bad[i].want)) {
			printf("# %s -> %s (want %s)\n", bad[i].json, msg ? msg : "ok", bad[i].want);
			tap_failed_here = 1;
		}
		free(msg);
	}
	free(want);
	free(json);
	free(b);
}

static ino_t inode(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static ino_t inode_of(const char *rel)
{
	struct stat st;
	char *p = at(rel);
	ino_t i = lstat(p, &st) == 0 ? st.st_ino : 0;
	free(p);
	return i;
}

static int open_in(int rootfd, const char *rel, int *ret_errno)
{
	struct gm_err *err = NULL;
	int fd = inroot_open(rootfd, rel, O_PATH, &err);
	*ret_errno = fd < 0 ? err->sys_errno : 0;
	gm_err_free(&err);
	return fd;
}

/* root/ with links that lead out of it: resolved inside, or not at all. */
static void test_inroot_links(void)
{
	char *p;
	dir_at("root");
	dir_at("root/etc");
	dir_at("outside");
	put("outside/secret", "host");
	put("root/etc/secret", "tree");
	/* absolute, relative with too many "..", and via a directory link */
	link_at("/etc", "root/abs");
	p = xasprintf("../../../../../../../..%s/outside/secret", dir);
	link_at(p, "root/etc/rel");
	free(p);
	p = xasprintf("%s/outside", dir);
	link_at(p, "root/dirlink");
	free(p);
	link_at("/lib64", "root/loop");
	link_at("loop", "root/lib64");

	int rootfd = open((p = at("root")), O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(p);
	int e, fd;
	/* "/etc" from inside the root is the root's etc. */
	fd = open_in(rootfd, "abs/secret", &e);
	TEST_COMPARE(inode(fd), inode_of("root/etc/secret"));
	close(fd);
	fd = open_in(rootfd, "/abs/../../../etc/secret", &e);
	TEST_COMPARE(inode(fd), inode_of("root/etc/secret"));
	close(fd);
	/* The host's file is not reachable: the same path inside the root
	 * does not exist. */
	fd = open_in(rootfd, "etc/rel", &e);
	TEST_COMPARE(fd, -1);
	TEST_COMPARE(e, ENOENT);
	fd = open_in(rootfd, "dirlink/secret", &e);
	TEST_COMPARE(fd, -1);
	TEST_COMPARE(e, ENOENT);
	fd = open_in(rootfd, "lib64/x", &e);
	TEST_COMPARE(fd, -1);
	TEST_COMPARE(e, ELOOP);
	/* Once the tree has the path, that is what opens. */
	p = xasprintf("root%s/outside", dir);
	char *full = at(p);
	TEST_VERIFY(mkdir_p(full, 0755, NULL) == 0);
	free(full);
	full = xasprintf("%s/secret", p);
	put(full, "tree copy");
	fd = open_in(rootfd, "etc/rel", &e);
	TEST_COMPARE(inode(fd), inode_of(full));
	TEST_VERIFY(inode(fd) != inode_of("outside/secret"));
	close(fd);
	free(full);
	free(p);
	close(rootfd);
}

/* inroot_mkdirs creates what is missing, inside; the journal removes it
 * again; a link to nothing is refused and nothing appears outside. */
static void test_inroot_mkdirs(void)
{
	char *p;
	dir_at("r2");
	dir_at("r2/usr");
	dir_at("out2");
	p = xasprintf("%s/out2/made", dir);
	link_at(p, "r2/usr/local");
	free(p);
	int rootfd = open((p = at("r2")), O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(p);

	struct inroot_undo u = {0};
	struct gm_err *err = NULL;
	int fd = inroot_mkdirs(rootfd, "/opt//drivers/lib/", &u, &err);
	TEST_VERIFY(fd >= 0);
	TEST_COMPARE(inode(fd), inode_of("r2/opt/drivers/lib"));
	close(fd);
	TEST_COMPARE(u.n, 3);
	/* Existing directories are not journalled. */
	fd = inroot_mkdirs(rootfd, "opt/drivers", &u, &err);
	TEST_VERIFY(fd >= 0);
	close(fd);
	TEST_COMPARE(u.n, 3);
	TEST_COMPARE(inroot_undo_run(&u), 0);
	TEST_COMPARE(inode_of("r2/opt"), 0);
	TEST_COMPARE(u.n, 0);

	fd = inroot_mkdirs(rootfd, "usr/local/lib", &u, &err);
	TEST_COMPARE(fd, -1);
	TEST_VERIFY(err && strstr(err->msg, "'/usr/local' in the container is a symbolic link to nothing"));
	gm_err_free(&err);
	TEST_COMPARE(inode_of("out2/made"), 0);
	fd = inroot_mkdirs(rootfd, "opt/../../etc", &u, &err);
	TEST_COMPARE(fd, -1);
	TEST_VERIFY(err && strstr(err->msg, "'..' in a directory to create"));
	gm_err_free(&err);
	TEST_COMPARE(inode_of("r2/opt"), 0);
	TEST_COMPARE(u.n, 0);
	inroot_undo_release(&u);
	close(rootfd);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 99;
	RUN_TEST(test_state);
	RUN_TEST(test_inroot_links);
	RUN_TEST(test_inroot_mkdirs);
	rm_rf(dir, NULL);
	TAP_END();
}
