#define _GNU_SOURCE
#include "cli/inputs.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <libgen.h>
#include <string.h>
#include <sys/stat.h>

/* arg as a package and, for PKG:PATH, the path inside it: 1 and
 * *ret_pkg (new) and *ret_member (points into arg, NULL for the whole
 * package), 0 when arg is not a package, -1 + err. */
static int split_arg(const char *arg, char **ret_pkg, const char **ret_member,
		     enum package_kind *kind, struct gm_err **err)
{
	struct stat st;
	*ret_pkg = NULL;
	*ret_member = NULL;
	if (stat(arg, &st) == 0) {
		int r = package_kind_of(arg, kind, err);
		if (r == 1)
			*ret_pkg = xstrdup(arg);
		return r;
	}
	/* A file that does not exist: PKG:PATH when what is before a colon is
	 * a package (paths inside it may hold colons too). */
	for (const char *c = strchr(arg, ':'); c; c = strchr(c + 1, ':')) {
		cleanup_free char *pkg = xstrndup(arg, (size_t)(c - arg));
		struct gm_err *e = NULL;
		if (stat(pkg, &st) == 0 && package_kind_of(pkg, kind, &e) == 1) {
			*ret_pkg = steal_pointer(&pkg);
			*ret_member = c + 1;
			while (**ret_member == '/')
				(*ret_member)++;
			while (str_starts(*ret_member, "./"))
				*ret_member += 2;
			return 1;
		}
		gm_err_free(&e);
	}
	return 0;
}

bool inputs_have_package(char *const *args)
{
	for (size_t i = 0; args[i]; i++) {
		char *pkg;
		const char *member;
		enum package_kind k;
		struct gm_err *e = NULL;
		int r = split_arg(args[i], &pkg, &member, &k, &e);
		free(pkg);
		gm_err_free(&e);
		if (r == 1)
			return true;
	}
	return false;
}

/* pkg: the file's package + 1, 0 for a file of none. */
static void add(struct check_inputs *in, char *name, char *path, size_t pkg)
{
	in->names = xrealloc(in->names, (in->n + 2) * sizeof(char *));
	in->paths = xrealloc(in->paths, (in->n + 2) * sizeof(char *));
	in->libdirs = xrealloc(in->libdirs, (in->n + 2) * sizeof(char **));
	in->pkg_of = xrealloc(in->pkg_of, (in->n + 2) * sizeof(size_t));
	in->names[in->n] = name;
	in->paths[in->n] = path;
	in->libdirs[in->n] = NULL;
	in->pkg_of[in->n] = pkg;
	in->n++;
	in->names[in->n] = in->paths[in->n] = NULL;
	in->libdirs[in->n] = NULL;
}

/* Packages checked together are installed together (a program's .deb and
 * its library's): a file's library directories are its own package's,
 * then the others' in the order given. */
static void set_libdirs(struct check_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		if (!in->pkg_of[i])
			continue;
		size_t own = in->pkg_of[i] - 1;
		in->libdirs[i] = strv_dup(in->pkgs[own].libdirs);
		for (size_t k = 0; k < in->n_pkgs; k++)
			for (size_t d = 0; k != own && in->pkgs[k].libdirs[d]; d++)
				if (!strv_contains(in->libdirs[i], in->pkgs[k].libdirs[d]))
					strv_push(&in->libdirs[i], in->pkgs[k].libdirs[d]);
	}
}

/* The package named path, opened once however many args name it. */
static int open_package(const struct gm_ctx *ctx, struct check_inputs *in, const char *path,
			enum package_kind kind, const char *outdir, struct package **ret,
			struct gm_err **err)
{
	cleanup_free char *name = xstrdup(path);
	/* "dir/" names the package "dir": results say dir:usr/bin/x. */
	for (size_t n = strlen(name); n > 1 && name[n - 1] == '/'; n--)
		name[n - 1] = '\0';
	for (size_t i = 0; i < in->n_pkgs; i++)
		if (strcmp(in->pkgs[i].name, name) == 0) {
			*ret = &in->pkgs[i];
			return 0;
		}
	cleanup_free char *copy = xstrdup(name);
	cleanup_free char *dest = xasprintf("%s/packages/%zu-%s", outdir ? outdir : ".",
					    in->n_pkgs + 1, basename(copy));
	struct package *p = &in->pkgs[in->n_pkgs];
	/* A run given an --out of an earlier one: its unpacked tree goes. */
	if (kind != PACKAGE_DIR && path_exists(dest) && rm_rf(dest, err) < 0)
		return -1;
	if (package_open(name, path, kind, dest, outdir, p, err) < 0)
		return -1;
	in->n_pkgs++;
	gm_note(ctx, "package %s (%s): %zu ELF file%s%s%s", name, package_kind_name(kind),
		strv_len(p->files), strv_len(p->files) == 1 ? "" : "s",
		kind == PACKAGE_DIR ? "" : ", unpacked into ", kind == PACKAGE_DIR ? "" : p->root);
	if (p->passed_over[0])
		gm_note(ctx, "package %s: %zu ELF file%s neither run nor load (relocatable objects, "
			     "debug files), not checked: %s%s", name, strv_len(p->passed_over),
			strv_len(p->passed_over) == 1 ? "" : "s", p->passed_over[0],
			p->passed_over[1] ? ", ..." : "");
	*ret = p;
	return 0;
}

static int add_arg(const struct gm_ctx *ctx, struct check_inputs *in, const char *arg,
		   const char *outdir, struct gm_err **err)
{
	char *pkgpath;
	const char *member;
	enum package_kind kind;
	int r = split_arg(arg, &pkgpath, &member, &kind, err);
	cleanup_free char *owned = pkgpath;
	struct package *p;
	if (r < 0)
		return -1;
	if (r == 0) {
		add(in, xstrdup(arg), xstrdup(arg), 0);
		return 0;
	}
	if (open_package(ctx, in, pkgpath, kind, outdir, &p, err) < 0)
		return -1;
	size_t found = 0;
	for (size_t i = 0; p->files[i]; i++)
		if (!member || strcmp(member, p->files[i]) == 0) {
			add(in, xasprintf("%s:%s", p->name, p->files[i]),
			    path_join(p->root, p->files[i]), (size_t)(p - in->pkgs) + 1);
			found++;
		}
	if (!found)
		return gm_usage(err, "package '%s' has no ELF file '%s' that runs or loads (it has %s%s)",
				p->name, member, p->files[0], p->files[1] ? ", ..." : "");
	return 0;
}

int inputs_expand(const struct gm_ctx *ctx, char *const *args, const char *outdir,
		  struct check_inputs *in, struct gm_err **err)
{
	memset(in, 0, sizeof(*in));
	/* Packages are reached through pointers while args are added. */
	size_t n_args = strv_len((char **)args);
	in->pkgs = xcalloc(n_args + 1, sizeof(*in->pkgs));
	for (size_t i = 0; args[i]; i++)
		if (add_arg(ctx, in, args[i], outdir, err) < 0)
			return -1;
	set_libdirs(in);
	return 0;
}

void inputs_release(struct check_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->names[i]);
		free(in->paths[i]);
		strv_free(in->libdirs[i]);
	}
	free(in->names);
	free(in->paths);
	free(in->libdirs);
	free(in->pkg_of);
	for (size_t i = 0; i < in->n_pkgs; i++)
		package_release(&in->pkgs[i]);
	free(in->pkgs);
	memset(in, 0, sizeof(*in));
}
