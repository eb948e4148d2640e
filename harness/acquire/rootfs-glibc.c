#define _GNU_SOURCE
#include "acquire/rootfs-glibc.h"
#include "acquire/build.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "exec/proc.h"
#include "store/recipes.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int rootfs_glibc_source(const struct gm_config *cfg, const char *version, char **ret,
			struct gm_err **err)
{
	struct recipe rec;
	int found = recipes_find(cfg, version, &rec, err);
	if (found < 0)
		return -1;
	if (!found)
		return gm_usage(err, "the glibc tree wants glibc %s, which sysroots/versions.tsv does "
				"not pin", version);
	*ret = xasprintf("glibc %s sha256 %s", rec.version, rec.sha256);
	recipe_release(&rec);
	return 0;
}

bool rootfs_glibc_available(const struct gm_config *cfg, const char *version, char **ret_why)
{
	struct recipe rec;
	if (recipes_find(cfg, version, &rec, NULL) != 1) {
		*ret_why = xasprintf("glibc %s is not pinned in sysroots/versions.tsv", version);
		return false;
	}
	cleanup_free char *path = rec.local && cfg->glibc_src ? path_join(cfg->glibc_src, rec.path)
							       : NULL;
	bool ok = !rec.local || (path && path_is_file(path));
	if (!ok)
		*ret_why = xasprintf("glibc %s comes from the local glibc source directory, which "
				     "has no %s here (GLIBC_MATRIX_GLIBC_SRC, else ../shared/glibc-src "
				     "beside the checkout)", version, rec.path);
	recipe_release(&rec);
	return ok;
}

/* RHEL 8 and 9 are merged: /bin, /sbin, /lib and /lib64 are links into
 * /usr, made before the install so that glibc's slibdir (/lib64) lands in
 * usr/lib64 as Red Hat's packages put it. */
static int make_layout(const char *root, struct gm_err **err)
{
	static const char *const dirs[] = {"usr/bin", "usr/sbin", "usr/lib", "usr/lib64",
					   "etc/ld.so.conf.d", NULL};
	static const char *const links[][2] = {
		{"bin", "usr/bin"}, {"sbin", "usr/sbin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}};
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *d = path_join(root, dirs[i]);
		if (mkdir_p(d, 0755, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		cleanup_free char *l = path_join(root, links[i][0]);
		if (symlink(links[i][1], l) < 0)
			return gm_infra(err, errno, "cannot link '%s'", l);
	}
	return 0;
}

/* A runtime image has no glibc-devel: headers, static archives and start
 * files go (they would only make the tarball larger). */
static int drop_devel(const char *root, struct gm_err **err)
{
	cleanup_free char *inc = path_join(root, "usr/include");
	cleanup_free char *lib = path_join(root, "usr/lib64");
	if (rm_rf(inc, err) < 0)
		return -1;
	DIR *d = opendir(lib);
	if (!d)
		return gm_infra(err, errno, "cannot read '%s'", lib);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_type == DT_REG && n > 2 && e->d_name[n - 2] == '.' &&
		    (e->d_name[n - 1] == 'a' || e->d_name[n - 1] == 'o') &&
		    unlinkat(dirfd(d), e->d_name, 0) < 0)
			r = gm_infra(err, errno, "cannot remove '%s/%s'", lib, e->d_name);
	}
	closedir(d);
	return r;
}

static int write_etc(const char *root, const char *version, struct gm_err **err)
{
	cleanup_free char *os = xasprintf(
		"NAME=\"glibc-matrix RHEL-style tree\"\n"
		"ID=glibc-matrix-lib64\n"
		"VERSION_ID=\"%s\"\n"
		"PRETTY_NAME=\"glibc %s from source in RHEL's layout (not RHEL)\"\n",
		version, version);
	const struct {
		const char *path, *text;
	} files[] = {
		{"etc/ld.so.conf", "include ld.so.conf.d/*.conf\n"},
		{"etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n"},
		{"etc/os-release", os},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *p = path_join(root, files[i].path);
		if (write_file_atomic(p, files[i].text, strlen(files[i].text), 0644, err) < 0)
			return -1;
	}
	return 0;
}

/* The tree's own ldconfig (static, as glibc always builds it) makes
 * /etc/ld.so.cache; -r makes it chroot into the tree, and the confinement
 * leaves only the tree writable, whatever it does. */
static int make_cache(const char *root, struct gm_err **err)
{
	cleanup_free char *ldconfig = path_join(root, "usr/sbin/ldconfig");
	cleanup_free char *cache = path_join(root, "etc/ld.so.cache");
	const char *const rw[] = {root, NULL};
	struct proc_spec spec = {
		.argv = (char *const[]){ldconfig, "-r", (char *)root, NULL},
		.env = (char *const[]){"LC_ALL=C", NULL},
		.timeout_s = 60,
		.capture_max = 1 << 16,
		.merge_stderr = true,
		.stdin_fd = -1,
		.writable = rw,
	};
	struct proc_result res = {0};
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	int r = 0;
	if (res.exec_failed || res.exit_code != 0 || !path_is_file(cache)) {
		cleanup_free char *how = proc_describe(&res);
		r = gm_infra(err, 0, "'%s -r %s' made no ld.so.cache (%s): %.300s", ldconfig, root,
			     how, res.out ? res.out : "");
	}
	proc_result_release(&res);
	return r;
}

int rootfs_glibc_tree(const struct gm_ctx *ctx, const char *version, const char *root,
		      const char *workdir, const char *keep_log, struct gm_err **err)
{
	gm_note(ctx, "glibc tree: glibc %s with --prefix=/usr into %s", version, root);
	if (mkdir_p(root, 0755, err) < 0 || mkdir_p(workdir, 0755, err) < 0 ||
	    make_layout(root, err) < 0)
		return -1;
	if (build_into_root(ctx, version, root, workdir, err) < 0) {
		cleanup_free char *log = path_join(workdir, "build.log");
		if (path_exists(log) && rename(log, keep_log) == 0)
			gm_err_wrap(err, "the glibc tree's build log is kept as %s", keep_log);
		return -1;
	}
	return drop_devel(root, err) < 0 || write_etc(root, version, err) < 0 ? -1
										: make_cache(root, err);
}
