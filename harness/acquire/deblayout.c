/* What the extracted packages of a Debian suite look like, and whether they
 * make a usable sysroot: usr-merge links, the loader, library and header
 * directories, a libc.so.6 of the right machine and version, and linker
 * scripts whose paths exist inside the tree. */
#define _GNU_SOURCE
#include "acquire/deblayout.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "store/rootpath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A tree whose packages ship only /usr/lib (trixie and later) still needs
 * /lib: libc.so, the linker script, names /lib/<triplet>/libc.so.6 and
 * /lib64/ld-linux-x86-64.so.2, which ld resolves under the sysroot. */
int deblayout_add_usrmerge_links(const char *root, struct gm_err **err)
{
	static const char *const dirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *top = path_join(root, dirs[i]);
		cleanup_free char *usr = xasprintf("%s/usr/%s", root, dirs[i]);
		if (path_exists(top) || !path_is_dir(usr))
			continue;
		cleanup_free char *target = xasprintf("usr/%s", dirs[i]);
		if (symlink(target, top) < 0)
			return gm_infra(err, errno, "cannot create '%s'", top);
	}
	return 0;
}

/* Every absolute path a linker script names must exist inside the sysroot,
 * or linking against it with --sysroot picks the host's files or fails. */
int deblayout_check_linker_script(const char *root, const char *rel, struct gm_err **err)
{
	cleanup_free char *host = path_join(root, rel);
	cleanup_free char *text = NULL;
	if (!path_exists(host))
		return 0;
	if (read_file(host, &text, NULL, err) < 0)
		return -1;
	if (!strstr(text, "GROUP"))
		return 0; /* a real shared object, not a script */
	/* Blank out comments, whose words may contain slashes. */
	for (char *c = text; (c = strstr(c, "/*"));) {
		char *e = strstr(c + 2, "*/");
		size_t n = e ? (size_t)(e + 2 - c) : strlen(c);
		memset(c, ' ', n);
		c += n;
	}
	for (char *p = text; (p = strchr(p, '/'));) {
		size_t n = strcspn(p, " \t\n()");
		cleanup_free char *path = xstrndup(p, n);
		p += n;
		cleanup_free char *found = rootpath_resolve(root, path);
		if (!found)
			return gm_infra(err, 0,
					"the linker script '%s' names '%s', which is not in the sysroot",
					rel, path);
	}
	return 0;
}

/* Adds root/rel's canonical form to *v unless it is missing or listed. */
static void push_dir(const char *root, const char *rel, char ***v)
{
	cleanup_free char *canon = rootpath_resolve(root, rel);
	if (!canon)
		return;
	cleanup_free char *host = path_join(root, canon);
	if (path_is_dir(host) && !strv_contains(*v, canon))
		strv_push(v, canon);
}

void deblayout_release(struct deb_layout *l)
{
	free(l->loader);
	free(l->libc);
	strv_free(l->libdirs);
	strv_free(l->includedirs);
	memset(l, 0, sizeof(*l));
}

int deblayout_find(const char *root, const struct gm_arch *a, struct deb_layout *l,
		   struct gm_err **err)
{
	const char *libcands[] = {"lib/%s", "usr/lib/%s", "lib", "usr/lib"};
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *dir = xasprintf(libcands[i], a->triplet);
		cleanup_free char *libc = xasprintf("%s/libc.so.6", dir);
		cleanup_free char *canon = rootpath_resolve(root, libc);
		if (!canon)
			continue;
		char *slash = strrchr(canon, '/');
		l->libc = slash ? xstrndup(canon, slash - canon) : xstrdup("");
		break;
	}
	if (!l->libc)
		return gm_infra(err, 0, "no libc.so.6 in the imported packages");
	/* The directory with libc.so.6 first: the loader's search order. */
	strv_push(&l->libdirs, l->libc);
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *dir = xasprintf(libcands[i], a->triplet);
		push_dir(root, dir, &l->libdirs);
	}

	/* The loader next to libc, else where PT_INTERP points (lib64/, lib/). */
	cleanup_free char *beside = xasprintf("%s/%s", l->libc, a->loader);
	const char *ldcands[] = {beside, "lib64", "lib", "usr/lib64", "usr/lib"};
	for (size_t i = 0; i < 5 && !l->loader; i++) {
		cleanup_free char *cand =
			i == 0 ? xstrdup(beside) : xasprintf("%s/%s", ldcands[i], a->loader);
		cleanup_free char *canon = rootpath_resolve(root, cand);
		cleanup_free char *host = canon ? path_join(root, canon) : NULL;
		if (host && path_is_file(host))
			l->loader = steal_pointer(&cand);
	}
	if (!l->loader)
		return gm_infra(err, 0, "no %s in the imported packages", a->loader);

	push_dir(root, "usr/include", &l->includedirs);
	cleanup_free char *tinc = xasprintf("usr/include/%s", a->triplet);
	push_dir(root, tinc, &l->includedirs);
	if (!l->includedirs)
		return gm_infra(err, 0, "no usr/include in the imported packages");
	return 0;
}

/* libc.so.6 must be for the requested machine and be the glibc the libc6
 * package says it is.  Not every release adds a version node (2.31 has
 * none of its own on x86_64), so: the newest GLIBC_x.y node it defines must
 * not be newer than the package version, and its own banner must name
 * exactly that version. */
int deblayout_check_libc(const char *root, const struct deb_layout *l,
			 const struct gm_arch *a, const char *version, struct gm_err **err)
{
	cleanup_free char *rel = xasprintf("%s/libc.so.6", l->libc);
	cleanup_free char *canon = rootpath_resolve(root, rel);
	cleanup_free char *path = path_join(root, canon ? canon : rel);
	struct elf_info info = {0};
	int r = elf_info_read(path, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_infra(err, 0, "'%s' is not an ELF file", rel);
	cleanup_free char *newest = NULL;
	bool exact = false;
	for (size_t i = 0; info.verdefs && info.verdefs[i]; i++) {
		const char *v = info.verdefs[i];
		if (!str_starts(v, "GLIBC_") || !version_valid(v + 6))
			continue;
		if (strcmp(v + 6, version) == 0)
			exact = true;
		if (!newest || version_cmp(v + 6, newest) > 0) {
			free(newest);
			newest = xstrdup(v + 6);
		}
	}
	int machine = info.machine;
	elf_info_release(&info);
	if (machine != a->machine)
		return gm_infra(err, 0, "'%s' is for %s, not %s", rel, elf_machine_name(machine),
				a->gnu);
	if (!newest)
		return gm_infra(err, 0, "'%s' defines no GLIBC_x.y version node", rel);
	if (version_cmp(newest, version) > 0)
		return gm_infra(err, 0,
				"'%s' defines GLIBC_%s, newer than its package's glibc %s", rel,
				newest, version);
	cleanup_free char *banner = glibc_banner_version(path);
	if (!exact && (!banner || strcmp(banner, version) != 0))
		return gm_infra(err, 0,
				"'%s' says it is glibc %s and defines no GLIBC_%s node, but its "
				"package says glibc %s",
				rel, banner ? banner : "(no banner)", version, version);
	return 0;
}

