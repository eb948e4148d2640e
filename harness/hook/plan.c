#define _GNU_SOURCE
#include "hook/plan.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "hook/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->items[i].tree >= 0)
			close(p->items[i].tree);
		close(p->items[i].target);
		free(p->items[i].rel);
	}
	for (size_t i = 0; i < p->n_overlays; i++) {
		close(p->overlays[i].fd);
		free(p->overlays[i].rel);
	}
	free(p->items);
	free(p->overlays);
	*p = (struct plan){0};
}

void plan_add_overlay(struct plan *p, const char *rel, int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (d < 0)
		abort(); /* out of descriptors while planning: nothing sane is left */
	p->overlays = xrealloc(p->overlays, (p->n_overlays + 1) * sizeof(*p->overlays));
	p->overlays[p->n_overlays++] = (struct plan_overlay){.rel = xstrdup(rel), .fd = d};
}

static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")); p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

/* A link in d named name, whose text is link: a relative link without
 * ".." stays beneath d->fd; any other is resolved from the root (inside
 * it), as the container will resolve it. */
static int follow_link(const struct plan_dir *d, const char *name, const char *link,
		       struct gm_err **err)
{
	if (link[0] != '/' && !has_dotdot(link)) {
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, d->fd, link, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOENT)
			return gm_infra(err, errno, "'/%s/%s' in the container", d->rel, name);
	} else {
		cleanup_free char *rel = link[0] == '/' ? xstrdup(link)
							: xasprintf("%s/%s", d->rel, link);
		struct gm_err *e = NULL;
		int fd = inroot_open(d->rootfd, rel, O_PATH, &e);
		if (fd >= 0 || e->sys_errno != ENOENT) {
			if (fd < 0)
				gm_err_set(err, e->code, 0, "'/%s/%s' in the container: %s", d->rel,
					   name, e->msg);
			gm_err_free(&e);
			return fd;
		}
		gm_err_free(&e);
	}
	gm_infra(err, 0, "'/%s/%s' in the container is a symbolic link to nothing (a target "
		 "outside the root resolves inside it)", d->rel, name);
	if (err && *err && !(*err)->sys_errno)
		(*err)->sys_errno = ENOLINK;
	return -1;
}

int plan_open_target(const struct plan_dir *d, const char *name, struct gm_err **err)
{
	int fd = openat(d->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return gm_infra(err, errno, "'/%s/%s' in the container", d->rel, name);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode))
		return fd;
	close(fd);
	char link[PATH_MAX];
	ssize_t n = readlinkat(d->fd, name, link, sizeof(link) - 1);
	if (n <= 0)
		return gm_infra(err, errno, "cannot read the link '/%s/%s' in the container", d->rel,
				name);
	link[n] = '\0';
	return follow_link(d, name, link, err);
}

/* Creates the empty file d/name for a host file the container lacks, in
 * the image (where no scratch overlay could be had), journalled.  Its
 * O_PATH fd or -1 + err. */
static int create_target(const struct plan_dir *d, const char *name, struct inroot_undo *u,
			 struct gm_err **err)
{
	/* name is one plain component and d->fd is resolved inside the
	 * root: openat with O_EXCL | O_NOFOLLOW cannot leave it. */
	int fd = openat(d->fd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return gm_infra(err, errno, "cannot create '/%s/%s' in the container", d->rel, name);
	cleanup_free char *what = xasprintf("the file '/%s/%s'", d->rel, name);
	inroot_undo_unlink(u, d->fd, name, what);
	return fd;
}

static struct plan_item *plan_push(struct plan *p)
{
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? 2 * p->alloc : 16;
		p->items = xrealloc(p->items, p->alloc * sizeof(*p->items));
	}
	struct plan_item *it = &p->items[p->n++];
	*it = (struct plan_item){.tree = -1, .target = -1};
	return it;
}

static const struct plan_item *plan_find(const struct plan *p, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].dev == dev && p->items[i].ino == ino)
			return &p->items[i];
	return NULL;
}

/* The target's fd, created when absent and mode allows; 0 when left out. */
static int resolve_target(const struct plan_dir *d, const char *name, enum target_mode mode,
			  const struct host_file *src, struct inroot_undo *u, struct gm_err **err)
{
	struct gm_err *e = NULL;
	int fd = plan_open_target(d, name, &e);
	if (fd >= 0)
		return fd;
	if (e->sys_errno == ENOENT && mode == TARGET_EXISTING) {
		hook_msg("no '/%s/%s' in the container: %s not bound there", d->rel, name, src->soname);
		gm_err_free(&e);
		return 0;
	}
	if (e->sys_errno != ENOENT) {
		*err = *err ? *err : steal_pointer(&e);
		gm_err_free(&e);
		return -1;
	}
	gm_err_free(&e);
	fd = create_target(d, name, u, &e);
	if (fd < 0 && e->sys_errno == EROFS && mode == TARGET_CREATE_OR_SKIP) {
		hook_warn("'/%s/%s' cannot be created (read-only file system): %s left out", d->rel,
			  name, src->soname);
		gm_err_free(&e);
		return 0;
	}
	if (fd < 0) {
		*err = *err ? *err : steal_pointer(&e);
		gm_err_free(&e);
	}
	return fd;
}

int plan_target(const struct plan_dir *d, const char *name, enum target_mode mode,
		struct host_file *src, struct plan *p, struct inroot_undo *u, struct gm_err **err)
{
	cleanup_free char *rel = xasprintf("%s/%s", d->rel, name);
	cleanup_close int fd = resolve_target(d, name, mode, src, u, err);
	if (fd <= 0) {
		int r = fd;
		fd = -1;
		return r;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return gm_infra(err, errno, "cannot stat '/%s' in the container", rel);
	if (!S_ISREG(st.st_mode))
		return gm_infra(err, 0, "'/%s' in the container is not a regular file: refusing to "
				"mount %s over it", rel, src->soname);
	const struct plan_item *seen = plan_find(p, st.st_dev, st.st_ino);
	if (seen && seen->src == src)
		return 0;
	if (seen)
		return gm_infra(err, 0, "'/%s' and '/%s' in the container are one file: it cannot be "
				"both %s and %s", seen->rel, rel, seen->src->soname, src->soname);
	cleanup_close int tree = host_file_take_tree(src);
	struct stat hst;
	if (tree < 0)
		return gm_infra(err, 0, "'%s' is wanted in more places than planned", src->path);
	if (fstat(tree, &hst) < 0)
		return gm_infra(err, errno, "cannot stat '%s'", src->path);
	struct plan_item *it = plan_push(p);
	it->tree = steal_fd(&tree);
	it->target = steal_fd(&fd);
	it->dev = st.st_dev;
	it->ino = st.st_ino;
	it->src_dev = hst.st_dev;
	it->src_ino = hst.st_ino;
	it->rel = steal_pointer(&rel);
	it->src = src;
	return 1;
}

int plan_mount(struct plan *p, struct inroot_undo *u, struct gm_err **err)
{
	for (size_t i = 0; i < p->n; i++) {
		struct plan_item *it = &p->items[i];
		if (move_mount(it->tree, "", it->target, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return gm_infra(err, errno, "cannot mount '%s' over '/%s' in the container",
					it->src->path, it->rel);
		cleanup_free char *what = xasprintf("the mount on '/%s'", it->rel);
		inroot_undo_umount(u, it->tree, what);
		it->tree = -1;
	}
	return 0;
}
