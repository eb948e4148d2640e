#define _GNU_SOURCE
#include "hook/hostset.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "hook/inroot.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* A detached, read-only bind mount of path; -1 + err. */
static int clone_file(const char *path, const struct stat *want, struct gm_err **err)
{
	cleanup_close int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return gm_infra(err, errno, "cannot open '%s'%s", path,
				errno == EPERM ? " as a mount (glibc-inject needs CAP_SYS_ADMIN)" : "");
	if (fstat(fd, &st) < 0)
		return gm_infra(err, errno, "cannot stat '%s'", path);
	if (!S_ISREG(st.st_mode))
		return gm_infra(err, 0, "'%s' is not a regular file", path);
	/* The second clone of one path must be the file the first one was. */
	if (want && (st.st_dev != want->st_dev || st.st_ino != want->st_ino))
		return gm_infra(err, 0, "'%s' changed while it was being opened", path);
	/* Best effort: a library needs neither writes nor set-id bits nor
	 * devices, and an old kernel without mount_setattr still injects. */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	(void)mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr));
	int ret = fd;
	fd = -1;
	return ret;
}

static char *newest_node(char *const *nodes)
{
	const char *best = NULL;
	for (size_t i = 0; nodes && nodes[i]; i++) {
		const char *v = glibc_node_version(nodes[i]);
		if (v && (!best || version_cmp(v, best) > 0))
			best = v;
	}
	return best ? xstrdup(best) : NULL;
}

/* One more detached mount of f's file, checked to be the same file. */
static int clone_again(struct host_file *f, struct gm_err **err)
{
	struct stat st;
	if (fstat(f->trees[0], &st) < 0)
		return gm_infra(err, errno, "cannot stat '%s'", f->path);
	if ((f->trees[f->n_trees] = clone_file(f->path, &st, err)) < 0)
		return -1;
	f->n_trees++;
	return 0;
}

static int open_file(struct host_file *f, const char *path, struct elf_info *info,
		     struct gm_err **err)
{
	f->path = xstrdup(path);
	for (size_t i = 0; i < HOST_FILE_TREES; i++)
		f->trees[i] = -1;
	if (path[0] != '/')
		return gm_infra(err, 0, "'%s' is not an absolute path", path);
	if ((f->trees[0] = clone_file(path, NULL, err)) < 0)
		return -1;
	f->n_trees = 1;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->trees[0]);
	int r = elf_info_read(proc, info, err);
	if (r < 0)
		return gm_err_wrap(err, "'%s'", path);
	if (r == 0)
		return gm_infra(err, 0, "'%s' is not an ELF file", path);
	if (info->type != ET_DYN || !info->dynamic)
		return gm_infra(err, 0, "'%s' is not a shared library", path);
	return 0;
}

static int check_machine(struct host_set *s, const struct elf_info *info, const char *path,
			 struct gm_err **err)
{
	const struct gm_arch *a = arch_by_machine(info->machine, info->elfclass);
	if (!a)
		return gm_infra(err, 0, "'%s' is for machine %d, which glibc-inject does not know",
				path, info->machine);
	if (s->arch && s->arch != a)
		return gm_infra(err, 0, "'%s' is for %s, '%s' for %s: one set is one machine", path,
				a->gnu, s->files[0].path, s->arch->gnu);
	s->arch = a;
	return 0;
}

static int add(struct host_set *s, const char *path, bool glibc, struct gm_err **err)
{
	struct host_file *f = &s->files[s->n++];
	struct elf_info info = {0};
	int rc = open_file(f, path, &info, err);
	if (rc == 0)
		rc = check_machine(s, &info, path, err);
	if (rc == 0 && !info.soname && glibc)
		rc = gm_infra(err, 0, "'%s' has no DT_SONAME: not a library of a glibc", path);
	if (rc == 0) {
		const char *base = strrchr(path, '/') + 1;
		f->soname = xstrdup(info.soname ? info.soname : base);
		f->floor = glibc_floor(&info) ? xstrdup(glibc_floor(&info)) : NULL;
		if (!inroot_plain_name(f->soname))
			rc = gm_infra(err, 0, "'%s': its soname '%s' is not a file name", path, f->soname);
	}
	if (rc == 0 && glibc != glibc_is_glibc_lib(f->soname))
		rc = glibc ? gm_infra(err, 0, "'%s' (%s) is not a library of glibc: inject it with --lib",
				      path, f->soname)
			   : gm_infra(err, 0, "'%s' (%s) is a library of glibc: inject it with "
				      "--glibc-libs, as part of its whole set", path, f->soname);
	for (size_t i = 0; rc == 0 && i + 1 < s->n; i++)
		if (strcmp(s->files[i].soname, f->soname) == 0)
			rc = gm_infra(err, 0, "'%s' and '%s' are both %s", s->files[i].path, path,
				      f->soname);
	if (rc == 0 && glibc) {
		/* The loader is bound twice: over the libc directory's file of
		 * its name and over the architecture's standard PT_INTERP path,
		 * which are two files in some trees. */
		if (strcmp(f->soname, s->arch->loader) == 0) {
			s->loader = f;
			rc = clone_again(f, err);
		} else if (strcmp(f->soname, "libc.so.6") == 0)
			s->libc = f;
		char *newest = newest_node(info.verdefs);
		if (newest && (!s->version || version_cmp(newest, s->version) > 0)) {
			free(s->version);
			s->version = newest;
		} else {
			free(newest);
		}
	}
	elf_info_release(&info);
	return rc;
}

int host_set_open(char *const *paths, bool glibc, bool partial, struct host_set *s,
		  struct gm_err **err)
{
	*s = (struct host_set){0};
	size_t n = strv_len(paths);
	if (!n)
		return 0;
	s->files = xcalloc(n, sizeof(*s->files));
	for (size_t i = 0; i < n; i++)
		if (add(s, paths[i], glibc, err) < 0)
			return -1;
	if (!glibc)
		return 0;
	if (!partial && (!s->loader || !s->libc))
		return gm_infra(err, 0, "the glibc set lacks %s: a loader and a libc.so.6 of two "
				"builds are a mixed glibc (--partial injects an incomplete set anyway, "
				"for negative controls)",
				!s->loader ? s->arch->loader : "libc.so.6");
	if (s->libc) {
		/* libc.so.6's own version: its newest node raised by its banner
		 * (2.31 defines no node of its own). */
		char proc[64], *version = NULL, *node = NULL;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->libc->trees[0]);
		int r = glibc_libc_version(proc, &version, &node, err);
		if (r < 0)
			return gm_err_wrap(err, "'%s'", s->libc->path);
		if (r == 0)
			return gm_infra(err, 0, "'%s' defines no GLIBC_x.y version node", s->libc->path);
		free(s->version);
		free(node);
		s->version = version;
	}
	if (!s->version)
		return gm_infra(err, 0, "the glibc set defines no GLIBC_x.y version node");
	return 0;
}

void host_set_release(struct host_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct host_file *f = &s->files[i];
		for (size_t k = 0; k < HOST_FILE_TREES; k++)
			if (f->trees[k] >= 0)
				close(f->trees[k]);
		free(f->path);
		free(f->soname);
		free(f->floor);
	}
	free(s->files);
	free(s->version);
	*s = (struct host_set){0};
}

int host_file_take_tree(struct host_file *f)
{
	for (size_t k = 0; k < HOST_FILE_TREES; k++)
		if (f->trees[k] >= 0) {
			int fd = f->trees[k];
			f->trees[k] = -1;
			return fd;
		}
	return -1;
}
