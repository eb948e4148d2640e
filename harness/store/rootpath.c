/* Paths inside a root directory (a sysroot, later a container root file
 * system), handled as a chroot would see them; see rootpath.h. */
#define _GNU_SOURCE
#include "store/rootpath.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Splits a path into its non-empty components onto *parts. */
static void split_push(char ***parts, const char *path)
{
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
		strv_push(parts, c);
}

/* The first n components joined with '/'. */
static char *parts_join(char **parts, size_t n)
{
	struct strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&b, '/');
		strbuf_addstr(&b, parts[i]);
	}
	return strbuf_detach(&b);
}

char *rootpath_norm_target(const char *dir, const char *target, bool *escaped)
{
	cleanup_strv char **in = NULL;
	cleanup_strv char **out = NULL;
	bool esc = false;

	if (target[0] != '/')
		split_push(&in, dir);
	split_push(&in, target);
	for (size_t i = 0; in && in[i]; i++) {
		if (strcmp(in[i], ".") == 0)
			continue;
		if (strcmp(in[i], "..") == 0) {
			size_t n = strv_len(out);
			if (n == 0) {
				esc = true; /* ".." of the root is the root */
				continue;
			}
			free(out[n - 1]);
			out[n - 1] = NULL;
			continue;
		}
		strv_push(&out, in[i]);
	}
	if (escaped)
		*escaped = esc;
	return parts_join(out, strv_len(out));
}

char *rootpath_rel(const char *from, const char *to)
{
	cleanup_strv char **f = NULL;
	cleanup_strv char **t = NULL;
	split_push(&f, from);
	split_push(&t, to);
	size_t nf = strv_len(f), nt = strv_len(t), common = 0;
	while (common < nf && common < nt && strcmp(f[common], t[common]) == 0)
		common++;
	char *r = xstrdup("");
	for (size_t i = common; i < nf; i++) {
		char *next = xasprintf("%s../", r);
		free(r);
		r = next;
	}
	cleanup_free char *rest = parts_join(t + common, nt - common);
	char *full = xasprintf("%s%s", r, rest);
	free(r);
	size_t n = strlen(full);
	if (n && full[n - 1] == '/')
		full[n - 1] = '\0';
	if (!*full) {
		free(full);
		full = xstrdup(".");
	}
	return full;
}

char *rootpath_resolve(const char *root, const char *rel)
{
	cleanup_strv char **done = NULL; /* canonical components so far */
	cleanup_free char *todo = xstrdup(rel);
	int hops = 0;

	for (;;) {
		char *p = todo;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		cleanup_free char *comp = xstrndup(p, n);
		char *rest = xstrdup(p + n);
		free(todo);
		todo = rest;
		if (strcmp(comp, ".") == 0)
			continue;
		size_t nd = strv_len(done);
		if (strcmp(comp, "..") == 0) {
			if (nd) {
				free(done[nd - 1]);
				done[nd - 1] = NULL;
			}
			continue;
		}
		strv_push(&done, comp);
		cleanup_free char *relnow = parts_join(done, nd + 1);
		cleanup_free char *host = path_join(root, relnow);
		struct stat st;
		if (lstat(host, &st) < 0)
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(host, target, sizeof(target) - 1);
			if (len < 0 || ++hops > 40)
				return NULL;
			target[len] = '\0';
			free(done[nd]);
			done[nd] = NULL;
			if (target[0] == '/') {
				strv_free(done);
				done = NULL;
			}
			char *next = xasprintf("%s/%s", target, todo);
			free(todo);
			todo = next;
		} else if (!S_ISDIR(st.st_mode) && strspn(todo, "/") != strlen(todo)) {
			return NULL; /* a file used as a directory */
		}
	}
	return parts_join(done, strv_len(done));
}

/* Rewrites one symlink (rel: its path under root) if its target is absolute
 * or climbs out of root. */
static int fix_link(const char *root, const char *rel, struct gm_err **err)
{
	cleanup_free char *host = path_join(root, rel);
	char target[4096];
	ssize_t len = readlink(host, target, sizeof(target) - 1);
	if (len < 0)
		return gm_infra(err, errno, "cannot read symlink '%s'", host);
	target[len] = '\0';

	cleanup_free char *dir = xstrdup(rel);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	bool escaped;
	cleanup_free char *inroot = rootpath_norm_target(dir, target, &escaped);
	if (target[0] != '/' && !escaped)
		return 0;
	cleanup_free char *relative = rootpath_rel(dir, inroot);
	if (unlink(host) < 0 || symlink(relative, host) < 0)
		return gm_infra(err, errno, "cannot rewrite symlink '%s' -> '%s'", host, relative);
	return 0;
}

/* Walks root/rel without following symlinks. */
static int fix_tree(const char *root, const char *rel, int depth, struct gm_err **err)
{
	cleanup_free char *host = *rel ? path_join(root, rel) : xstrdup(root);
	if (depth > 64)
		return gm_infra(err, 0, "'%s': directory tree too deep", host);
	DIR *d = opendir(host);
	if (!d)
		return gm_infra(err, errno, "cannot open directory '%s'", host);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, e->d_name)
					       : xstrdup(e->d_name);
		cleanup_free char *childhost = path_join(root, child);
		struct stat st;
		if (lstat(childhost, &st) < 0)
			r = gm_infra(err, errno, "cannot stat '%s'", childhost);
		else if (S_ISLNK(st.st_mode))
			r = fix_link(root, child, err);
		else if (S_ISDIR(st.st_mode))
			r = fix_tree(root, child, depth + 1, err);
	}
	closedir(d);
	return r;
}

int rootpath_fix_symlinks(const char *root, struct gm_err **err)
{
	return fix_tree(root, "", 0, err);
}

