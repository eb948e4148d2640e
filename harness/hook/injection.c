#define _GNU_SOURCE
#include "hook/injection.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "hook/hostset.h"
#include "hook/inroot.h"
#include "hook/ldconfig.h"
#include "hook/msg.h"
#include "hook/plan.h"
#include "hook/scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The container's glibc: where its libc.so.6 is and what it is. */
struct container_glibc {
	char *dir;      /* the directory it was found in, relative to the root */
	int dirfd;      /* that directory, resolved once (O_PATH) */
	char *version;  /* glibc_libc_version */
};

static int enter_mount_ns(pid_t pid, struct gm_err **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gm_infra(err, errno, "cannot open the mount namespace of the container's "
				"process %d (%s)", (int)pid, path);
	if (setns(fd, CLONE_NEWNS) < 0)
		return gm_infra(err, errno, "cannot enter the mount namespace of the container's "
				"process %d", (int)pid);
	return 0;
}

/* An error that means "not there" rather than "refused". */
static bool absent(const struct gm_err *e)
{
	return e->sys_errno == ENOENT || e->sys_errno == ENOTDIR;
}

static int pass_err(struct gm_err **err, struct gm_err **e)
{
	if (err && !*err)
		*err = steal_pointer(e);
	else
		gm_err_free(e);
	return -1;
}

/* 1 and *ret for the first libc.so.6 of the search order, 0 when the tree
 * has none, -1 + err when one is there but unusable (a link out of reach,
 * not a regular file, not a glibc). */
static int find_container_glibc(int rootfd, const struct gm_arch *arch, struct container_glibc *ret,
				struct gm_err **err)
{
	cleanup_free char *d1 = xasprintf("lib/%s", arch->triplet);
	cleanup_free char *d2 = xasprintf("usr/lib/%s", arch->triplet);
	const char *const dirs[] = {d1, d2, "lib64", "usr/lib64", "lib", "usr/lib", NULL};

	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *rel = xasprintf("%s/libc.so.6", dirs[i]);
		struct gm_err *e = NULL;
		cleanup_close int dirfd = inroot_open(rootfd, dirs[i], O_PATH | O_DIRECTORY, &e);
		struct plan_dir d = {.rootfd = rootfd, .fd = dirfd, .rel = dirs[i]};
		cleanup_close int fd = dirfd < 0 ? -1 : plan_open_target(&d, "libc.so.6", &e);
		if (fd < 0 && (absent(e) || e->sys_errno == ENOLINK)) {
			gm_err_free(&e);
			continue;
		}
		if (fd < 0)
			return pass_err(err, &e);
		struct stat st;
		if (fstat(fd, &st) < 0)
			return gm_infra(err, errno, "cannot stat '/%s' in the container", rel);
		if (!S_ISREG(st.st_mode))
			return gm_infra(err, 0, "'/%s' in the container is not a regular file", rel);
		/* The hook runs as root outside the container's cgroup: what an
		 * image makes it read is bounded before anything is read. */
		if (st.st_size > INJECT_LIBC_MAX)
			return gm_infra(err, 0, "'/%s' in the container is %lld bytes: no libc.so.6 is "
					"that large (the limit is %d MiB)", rel, (long long)st.st_size,
					INJECT_LIBC_MAX >> 20);
		/* Read through the fd resolved inside the root: the ELF reader
		 * never sees a path that could lead elsewhere. */
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		struct elf_info info = {0};
		int r = elf_info_read(proc, &info, err);
		if (r <= 0)
			return r < 0 ? gm_err_wrap(err, "'/%s' in the container", rel)
				     : gm_infra(err, 0, "'/%s' in the container is not an ELF file", rel);
		bool same = info.machine == arch->machine && info.elfclass == arch->elfclass;
		const char *machine = elf_machine_name(info.machine);
		elf_info_release(&info);
		if (!same)
			return gm_infra(err, 0, "'/%s' in the container is for %s, the injected files "
					"for %s", rel, machine ? machine : "another machine", arch->gnu);
		char *version = NULL, *node = NULL;
		r = glibc_libc_version(proc, &version, &node, err);
		if (r < 0)
			return gm_err_wrap(err, "'/%s' in the container", rel);
		if (r == 0)
			return gm_infra(err, 0, "'/%s' in the container defines no GLIBC_x.y version "
					"node: not a glibc", rel);
		free(node);
		ret->dir = xstrdup(dirs[i]);
		ret->dirfd = steal_fd(&dirfd);
		ret->version = version;
		return 1;
	}
	return 0;
}

/* A name the loader would look up: "libanl.so.1", "ld-linux-x86-64.so.2". */
static bool soname_like(const char *name)
{
	const char *so = strstr(name, ".so.");
	return so && so[4] >= '0' && so[4] <= '9';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Libraries of the container's glibc that the set does not replace stay
 * its old version: each is said, since a program using one mixes two
 * glibcs. */
static void warn_leftovers(const struct container_glibc *cg, const struct host_set *s)
{
	int fd = openat(cg->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		hook_warn("cannot list '/%s' in the container: %s", cg->dir, strerror(errno));
		return;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	cleanup_strv char **left = NULL;
	for (struct dirent *de; (de = readdir(d));) {
		if (!soname_like(de->d_name) || !glibc_is_glibc_lib(de->d_name))
			continue;
		bool covered = false;
		for (size_t i = 0; i < s->n && !covered; i++)
			covered = strcmp(s->files[i].soname, de->d_name) == 0;
		if (!covered)
			strv_push(&left, de->d_name);
	}
	closedir(d);
	/* readdir's order is the file system's; sorted, the lines are the
	 * same on every run. */
	if (left)
		qsort(left, strv_len(left), sizeof(*left), cmp_str);
	for (size_t i = 0; left && left[i]; i++)
		hook_warn("'/%s/%s' stays the container's glibc %s: the injected set has no %s "
			  "(a program using it mixes two glibcs)", cg->dir, left[i], cg->version, left[i]);
}

/* The names of s that d lacks (NULL when none). */
static char **absent_names(const struct plan_dir *d, const struct host_set *s)
{
	char **names = NULL;
	for (size_t i = 0; i < s->n; i++) {
		struct stat st;
		if (fstatat(d->fd, s->files[i].soname, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			strv_push(&names, s->files[i].soname);
	}
	return names;
}

/* Where files of s that d lacks are to be bound: a scratch overlay on
 * d->fd with sub/ and empty files of those names (scratch.h), so nothing
 * reaches the image; d->fd becomes the overlay's root.  0 and *made when
 * done, or when no overlay may go there (said, with why): then the
 * caller falls back. */
static int scratch_dir(struct plan_dir *d, const char *sub, char *const *names, bool *made,
		       struct plan *p, struct inroot_undo *u, struct gm_err **err)
{
	cleanup_free char *why = NULL;
	*made = false;
	if (scratch_usable(d->rootfd, d->fd, &why, err) < 0)
		return -1;
	if (why) {
		hook_warn("no overlay on '/%s' in the container: %s", d->rel, why);
		return 0;
	}
	cleanup_free char *what = xasprintf("'/%s' in the container", d->rel);
	int ovl = scratch_mount(d->fd, sub, names, what, u, err);
	if (ovl < 0)
		return -1;
	plan_add_overlay(p, d->rel, ovl);
	d->fd = ovl;
	*made = true;
	return 0;
}

/* The path the container's programs name as PT_INTERP; often the same
 * file as the set's loader (a link), then left out. */
static int plan_loader(int rootfd, struct host_set *s, struct plan *p, struct inroot_undo *u,
		       struct gm_err **err)
{
	const char *path = s->arch->loader_path;
	cleanup_free char *dir = xstrndup(path + 1, (size_t)(strrchr(path, '/') - path - 1));
	struct gm_err *e = NULL;
	cleanup_close int fd = inroot_open(rootfd, dir, O_PATH | O_DIRECTORY, &e);
	if (fd < 0 && e->sys_errno == ENOENT) {
		hook_msg("no '%s' in the container: %s not bound there", path, s->loader->soname);
		gm_err_free(&e);
		return 0;
	}
	if (fd < 0) {
		gm_infra(err, e->sys_errno, "'%s' in the container", path);
		gm_err_free(&e);
		return -1;
	}
	struct plan_dir d = {.rootfd = rootfd, .fd = fd, .rel = dir};
	return plan_target(&d, s->arch->loader, TARGET_EXISTING, s->loader, p, u, err) < 0 ? -1 : 0;
}

static int plan_glibc(int rootfd, const struct container_glibc *cg, struct host_set *s,
		      struct plan *p, struct inroot_undo *u, struct gm_err **err)
{
	struct plan_dir d = {.rootfd = rootfd, .fd = cg->dirfd, .rel = cg->dir};
	cleanup_strv char **names = absent_names(&d, s);
	bool made = false;
	if (names && scratch_dir(&d, "", names, &made, p, u, err) < 0)
		return -1;
	/* Without an overlay the absent files are left out rather than
	 * made in the image for good. */
	if (names && !made)
		hook_warn("the files of the set '/%s' lacks are left out", d.rel);
	enum target_mode mode = made ? TARGET_CREATE : TARGET_EXISTING;
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++)
		rc = plan_target(&d, s->files[i].soname, mode, &s->files[i], p, u, err) < 0 ? -1 : 0;
	if (made)
		close(d.fd);
	if (rc < 0 || (s->loader && plan_loader(rootfd, s, p, u, err) < 0))
		return -1;
	warn_leftovers(cg, s);
	return 0;
}

/* lib_dir's deepest directory that exists: its fd, *len the length of its
 * path (0: the root), or -1 + err. */
static int deepest_existing(int rootfd, const char *rel, size_t *len, struct gm_err **err)
{
	cleanup_free char *anc = xstrdup(rel);
	for (;;) {
		struct gm_err *e = NULL;
		int fd = inroot_open(rootfd, anc, O_PATH | O_DIRECTORY, &e);
		if (fd >= 0) {
			*len = strlen(anc);
			return fd;
		}
		if (e->sys_errno != ENOENT || !*anc)
			return pass_err(err, &e);
		gm_err_free(&e);
		char *slash = strrchr(anc, '/');
		*(slash ? slash : anc) = '\0';
		/* Absent means no entry at all: a link to nothing is refused. */
		struct stat st;
		const char *name = rel + (slash ? (size_t)(slash - anc) + 1 : 0);
		cleanup_free char *entry = xstrndup(rel, (size_t)(name - rel) + strcspn(name, "/"));
		cleanup_close int up = inroot_open(rootfd, anc, O_PATH | O_DIRECTORY, NULL);
		if (up >= 0 && fstatat(up, entry + (name - rel), &st, AT_SYMLINK_NOFOLLOW) == 0)
			return gm_infra(err, 0, "'/%s' in the container is a symbolic link to nothing "
					"(a target outside the root resolves inside it)", entry);
	}
}

/* --lib files go to lib_dir: made in a scratch overlay on its deepest
 * existing directory when one may go there, else in the image (the
 * directories and files journalled, and said). */
static int plan_libs(int rootfd, const char *lib_dir, struct host_set *libs, struct plan *p,
		     struct inroot_undo *u, struct gm_err **err)
{
	const char *rel = lib_dir + 1;
	size_t len = 0;
	cleanup_close int anc = deepest_existing(rootfd, rel, &len, err);
	if (anc < 0)
		return gm_err_wrap(err, "the library directory");
	cleanup_free char *anc_rel = xstrndup(rel, len);
	struct plan_dir d = {.rootfd = rootfd, .fd = anc, .rel = anc_rel};
	const char *sub = rel[len] == '/' ? rel + len + 1 : rel + len;
	cleanup_strv char **names = *sub ? NULL : absent_names(&d, libs);
	for (size_t i = 0; *sub && i < libs->n; i++)
		strv_push(&names, libs->files[i].soname);
	bool made = false;
	if ((names || *sub) && scratch_dir(&d, sub, names, &made, p, u, err) < 0)
		return -1;
	cleanup_close int dir = -1;
	if (made)
		dir = *sub ? openat(d.fd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			   : fcntl(d.fd, F_DUPFD_CLOEXEC, 3);
	else if ((names || *sub))
		hook_warn("%s and its files are made in the image", lib_dir);
	if (made)
		close(d.fd);
	if (!made)
		dir = inroot_mkdirs(rootfd, lib_dir, u, err);
	if (dir < 0)
		return made ? gm_infra(err, errno, "cannot open %s in its overlay", lib_dir)
			    : gm_err_wrap(err, "the library directory");
	struct plan_dir ld = {.rootfd = rootfd, .fd = dir, .rel = rel};
	for (size_t i = 0; i < libs->n; i++)
		if (plan_target(&ld, libs->files[i].soname, TARGET_CREATE, &libs->files[i], p, u,
				err) < 0)
			return -1;
	return 0;
}

static void binds_release(struct ldconfig_bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].tree >= 0)
			close(b[i].tree);
	free(b);
}

/* One bound file for ldconfig's view: the target resolved again now that
 * the mount is on it, cloned, and checked to be the host file. */
static int view_bind(int rootfd, const struct plan_item *it, struct gm_err **err)
{
	cleanup_close int fd = inroot_open(rootfd, it->rel, O_PATH, err);
	if (fd < 0)
		return -1;
	cleanup_close int tree = (int)open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
							AT_EMPTY_PATH);
	struct stat st;
	if (tree < 0 || fstat(tree, &st) < 0)
		return gm_infra(err, errno, "cannot clone the mount on '/%s' for ldconfig", it->rel);
	if (st.st_dev != it->src_dev || st.st_ino != it->src_ino)
		return gm_infra(err, 0, "'/%s' in the container changed while the hook ran", it->rel);
	int ret = tree;
	tree = -1;
	return ret;
}

/* A clone of a scratch overlay, without the files bound in it. */
static int view_overlay(const struct plan_overlay *o, struct gm_err **err)
{
	int tree = (int)open_tree(o->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return gm_infra(err, errno, "cannot clone the overlay on '/%s' for ldconfig", o->rel);
	return tree;
}

/* ldconfig runs in a view of the root's own mount (ldconfig.h), with the
 * scratch overlays and then the files bound, so the cache it writes is the
 * one the container needs. */
static int update_cache(int rootfd, int ldconfig, const char *lib_dir, const struct plan *p,
			struct inroot_undo *u, struct gm_err **err)
{
	if (ldconfig_write_dropin(rootfd, lib_dir, u, err) < 0)
		return -1;
	size_t n = p->n_overlays + p->n;
	struct ldconfig_bind *b = xcalloc(n + 1, sizeof(*b));
	for (size_t i = 0; i < n; i++)
		b[i] = (struct ldconfig_bind){
			.rel = i < p->n_overlays ? p->overlays[i].rel : p->items[i - p->n_overlays].rel,
			.tree = -1};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		b[i].tree = i < p->n_overlays ? view_overlay(&p->overlays[i], err)
					       : view_bind(rootfd, &p->items[i - p->n_overlays], err);
		rc = b[i].tree < 0 ? -1 : 0;
	}
	if (rc == 0)
		rc = ldconfig_run(ldconfig, rootfd, lib_dir, b, n, err);
	binds_release(b, n);
	return rc;
}

/* The glibc a library will meet: a --lib needing a newer one fails to load
 * in the container, which is said now rather than found later. */
static void warn_floors(const struct host_set *libs, const char *glibc)
{
	for (size_t i = 0; i < libs->n; i++) {
		const char *fl = libs->files[i].floor;
		if (fl && version_cmp(fl, glibc) > 0)
			hook_warn("'%s' needs GLIBC_%s, the container's glibc will be %s: it will not load",
				  libs->files[i].path, fl, glibc);
	}
}

struct run {
	const struct inject_opts *o;
	const struct hook_state *st;
	struct host_set set, libs;
	int ldconfig, rootfd;
	struct container_glibc cg;
	struct plan plan;
	struct inroot_undo undo;
};

/* Everything after entering the container's namespace; on -1 the caller
 * takes the journal back. */
static int inject_in_ns(struct run *r, struct gm_err **err)
{
	const struct inject_opts *o = r->o;
	const struct gm_arch *arch = r->set.arch ? r->set.arch : r->libs.arch ? r->libs.arch : arch_host();
	if (!arch)
		return gm_infra(err, 0, "this machine is not in the architecture table");
	if (r->set.arch && r->libs.arch && r->set.arch != r->libs.arch)
		return gm_infra(err, 0, "the glibc set is for %s, the --lib files for %s",
				r->set.arch->gnu, r->libs.arch->gnu);
	if ((r->rootfd = open(r->st->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return gm_infra(err, errno, "cannot open the root filesystem '%s' in the container's "
				"mount namespace", r->st->rootfs);
	int found = find_container_glibc(r->rootfd, arch, &r->cg, err);
	if (found < 0)
		return gm_err_wrap(err, "the container's glibc");
	if (!found) {
		hook_msg("no glibc in the container (%s): nothing injected", r->st->rootfs);
		return 0;
	}
	bool glibc = r->set.n && version_cmp(r->cg.version, r->set.version) < 0;
	if (r->set.n && !glibc)
		hook_msg("the container's glibc %s is not older than the injected glibc %s: glibc "
			 "left as it is in %s", r->cg.version, r->set.version, r->st->rootfs);
	if (glibc && plan_glibc(r->rootfd, &r->cg, &r->set, &r->plan, &r->undo, err) < 0)
		return -1;
	if ((r->libs.n || o->update_cache) &&
	    plan_libs(r->rootfd, o->lib_dir, &r->libs, &r->plan, &r->undo, err) < 0)
		return -1;
	if (plan_mount(&r->plan, &r->undo, err) < 0)
		return -1;
	if (o->update_cache &&
	    update_cache(r->rootfd, r->ldconfig, o->lib_dir, &r->plan, &r->undo, err) < 0)
		return -1;

	for (size_t i = 0; i < r->plan.n; i++)
		hook_msg("'/%s' <- %s", r->plan.items[i].rel, r->plan.items[i].src->path);
	if (glibc) {
		/* A file of the set is bound once its first mount was taken. */
		size_t bound = 0;
		for (size_t i = 0; i < r->set.n; i++)
			bound += r->set.files[i].trees[0] < 0;
		cleanup_free char *of = bound < r->set.n ? xasprintf(" of %zu", r->set.n) : xstrdup("");
		hook_msg("injected glibc %s (%zu%s %s) over glibc %s in %s", r->set.version, bound, of,
			 r->set.n == 1 ? "file" : "files", r->cg.version, r->st->rootfs);
	}
	if (r->libs.n) {
		warn_floors(&r->libs, glibc ? r->set.version : r->cg.version);
		hook_msg("injected %zu %s into %s in %s", r->libs.n,
			 r->libs.n == 1 ? "library" : "libraries", o->lib_dir, r->st->rootfs);
	}
	if (o->update_cache)
		hook_msg("%s is in the container's ld.so cache (/%s/%s, ldconfig -r)", o->lib_dir,
			 LDCONFIG_DROPIN_DIR, LDCONFIG_DROPIN_NAME);
	return 0;
}

int inject_run(const struct inject_opts *o, const struct hook_state *st, struct gm_err **err)
{
	if (!strv_len(o->glibc_libs) && !strv_len(o->libs) && !o->update_cache) {
		hook_msg("nothing to do: no glibc set (--glibc-libs, GLIBC_LIBS), no --lib, "
			 "no --update-cache");
		return 0;
	}
	struct run r = {.o = o, .st = st, .ldconfig = -1, .rootfd = -1, .cg = {.dirfd = -1}};
	int rc = -1;
	/* Host side first: once in the container's namespace, the host's
	 * paths are out of reach (and must be). */
	if (host_set_open(o->glibc_libs, true, o->partial, &r.set, err) < 0)
		gm_err_wrap(err, "the glibc set");
	else if (host_set_open(o->libs, false, false, &r.libs, err) < 0)
		gm_err_wrap(err, "--lib");
	else if (!o->update_cache || (r.ldconfig = ldconfig_open_trusted(o->ldconfig, err)) >= 0)
		rc = enter_mount_ns(st->pid, err) < 0 ? -1 : inject_in_ns(&r, err);
	if (rc < 0 && r.undo.n) {
		size_t failed = inroot_undo_run(&r.undo);
		if (failed)
			gm_err_wrap(err, "%zu of the changes could not be undone", failed);
	}
	inroot_undo_release(&r.undo);
	plan_release(&r.plan);
	host_set_release(&r.set);
	host_set_release(&r.libs);
	if (r.ldconfig >= 0)
		close(r.ldconfig);
	if (r.rootfd >= 0)
		close(r.rootfd);
	if (r.cg.dirfd >= 0)
		close(r.cg.dirfd);
	free(r.cg.dir);
	free(r.cg.version);
	return rc;
}
