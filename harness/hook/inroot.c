#define _GNU_SOURCE
#include "hook/inroot.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "hook/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int inroot_open(int rootfd, const char *rel, int flags, struct gm_err **err)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*rel == '/')
		rel++;
	if (!*rel)
		rel = ".";
	/* glibc 2.36 has no openat2 wrapper. */
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd < 0)
		return gm_infra(err, errno, "'/%s' in the container", strcmp(rel, ".") ? rel : "");
	return (int)fd;
}

bool inroot_plain_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

enum step_kind { STEP_UMOUNT, STEP_UNLINK, STEP_RMDIR };

struct inroot_step {
	enum step_kind kind;
	int fd;       /* the attached mount (umount) or the parent directory */
	char *name;   /* unlink, rmdir: the entry in fd */
	char *what;   /* for messages */
};

static void push(struct inroot_undo *u, enum step_kind kind, int fd, const char *name,
		 const char *what)
{
	if (u->n == u->alloc) {
		u->alloc = u->alloc ? 2 * u->alloc : 16;
		u->steps = xrealloc(u->steps, u->alloc * sizeof(*u->steps));
	}
	u->steps[u->n++] = (struct inroot_step){
		.kind = kind, .fd = fd, .name = name ? xstrdup(name) : NULL, .what = xstrdup(what)};
}

void inroot_undo_umount(struct inroot_undo *u, int tree_fd, const char *what)
{
	push(u, STEP_UMOUNT, tree_fd, NULL, what);
}

static int dup_or_die(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (d < 0)
		abort(); /* out of descriptors while journalling: nothing sane is left */
	return d;
}

void inroot_undo_unlink(struct inroot_undo *u, int dirfd, const char *name, const char *what)
{
	push(u, STEP_UNLINK, dup_or_die(dirfd), name, what);
}

void inroot_undo_rmdir(struct inroot_undo *u, int dirfd, const char *name, const char *what)
{
	push(u, STEP_RMDIR, dup_or_die(dirfd), name, what);
}

static int undo_step(const struct inroot_step *s)
{
	switch (s->kind) {
	case STEP_UMOUNT: {
		/* The fd is the attached mount's root; its /proc/self/fd link
		 * names that mount, not the file it covers, so this detaches
		 * exactly the mount we made. */
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", s->fd);
		return umount2(p, MNT_DETACH);
	}
	case STEP_UNLINK:
		return unlinkat(s->fd, s->name, 0);
	case STEP_RMDIR:
		return unlinkat(s->fd, s->name, AT_REMOVEDIR);
	}
	return 0;
}

static void release_steps(struct inroot_undo *u)
{
	for (size_t i = 0; i < u->n; i++) {
		close(u->steps[i].fd);
		free(u->steps[i].name);
		free(u->steps[i].what);
	}
	free(u->steps);
	*u = (struct inroot_undo){0};
}

size_t inroot_undo_run(struct inroot_undo *u)
{
	size_t failed = 0;
	for (size_t i = u->n; i-- > 0;) {
		const struct inroot_step *s = &u->steps[i];
		if (undo_step(s) < 0) {
			hook_warn("cannot undo %s: %s", s->what, strerror(errno));
			failed++;
		}
	}
	release_steps(u);
	return failed;
}

void inroot_undo_release(struct inroot_undo *u)
{
	release_steps(u);
}

/* Hands a caught error up (the first one wins, as gm_err_set's). */
static int pass_err(struct gm_err **err, struct gm_err **e)
{
	if (err && !*err)
		*err = steal_pointer(e);
	else
		gm_err_free(e);
	return -1;
}

int inroot_mkdirs(int rootfd, const char *rel, struct inroot_undo *u, struct gm_err **err)
{
	cleanup_free char *path = xstrdup(rel);
	char *p = path;
	while (*p == '/')
		p++;
	/* Refused before anything is made, not halfway. */
	cleanup_strv char **parts = strv_split(p, "/");
	if (strv_contains(parts, ".."))
		return gm_infra(err, 0, "'/%s' in the container: '..' in a directory to create", p);
	int fd = dup_or_die(rootfd);
	/* Walk the components; each prefix is resolved afresh against the
	 * root (never against the previous component's fd, which
	 * RESOLVE_IN_ROOT would take as the root), so a link inside the
	 * path is followed the way the container will follow it. */
	for (char *end = p; *end;) {
		char *slash = strchr(end, '/');
		char *next = slash ? slash + 1 : end + strlen(end);
		if (slash)
			*slash = '\0';
		const char *name = end;
		if (!*name || strcmp(name, ".") == 0) {
			end = next;
			if (slash)
				*slash = '/';
			continue;
		}
		struct gm_err *e = NULL;
		int sub = inroot_open(rootfd, p, O_PATH | O_DIRECTORY, &e);
		if (sub < 0 && e->sys_errno == ENOENT) {
			gm_err_free(&e);
			if (mkdirat(fd, name, 0755) == 0) {
				cleanup_free char *what = xasprintf("the directory '/%s'", p);
				inroot_undo_rmdir(u, fd, name, what);
			} else if (errno != EEXIST) {
				int en = errno;
				close(fd);
				return gm_infra(err, en, "cannot create '/%s' in the container", p);
			}
			/* EEXIST: a dangling link, or a racing creator; the
			 * second resolution below tells which. */
			sub = inroot_open(rootfd, p, O_PATH | O_DIRECTORY, &e);
			if (sub < 0 && e->sys_errno == ENOENT) {
				gm_err_free(&e);
				close(fd);
				return gm_infra(err, 0,
						"'/%s' in the container is a symbolic link to nothing "
						"(a target outside the root resolves inside it)", p);
			}
		}
		if (sub < 0) {
			close(fd);
			return pass_err(err, &e);
		}
		close(fd);
		fd = sub;
		if (slash)
			*slash = '/';
		end = next;
	}
	return fd;
}
