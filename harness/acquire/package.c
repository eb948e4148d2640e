#define _GNU_SOURCE
#include "acquire/package.h"
#include "acquire/archive.h"
#include "acquire/debindex.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "store/rootpath.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper than any package's layout; a bound on a hostile tree's walk. */
#define PACKAGE_MAX_DEPTH 64

const char *package_kind_name(enum package_kind k)
{
	return k == PACKAGE_DEB ? "deb" : k == PACKAGE_TARBALL ? "tarball" : "directory";
}

static bool tar_name(const char *path)
{
	static const char *const ends[] = {".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tzst", NULL};
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; ends[i]; i++)
		if (str_ends(base, ends[i]))
			return true;
	return strstr(base, ".tar.") != NULL;
}

/* gzip, xz, bzip2, zstd, or "ustar" at offset 257 of a plain tar. */
static bool tar_magic(const unsigned char *b, size_t n)
{
	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
	       (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0) ||
	       (n >= 3 && memcmp(b, "BZh", 3) == 0) ||
	       (n >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0) ||
	       (n >= 262 && memcmp(b + 257, "ustar", 5) == 0);
}

int package_kind_of(const char *path, enum package_kind *ret_kind, struct gm_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return gm_usage(err, "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		*ret_kind = PACKAGE_DIR;
		return 1;
	}
	int fd = fs_open_input(path, err);
	if (fd < 0)
		return -1;
	unsigned char b[512];
	ssize_t n = read(fd, b, sizeof(b));
	int e = errno;
	close(fd);
	if (n < 0)
		return gm_usage(err, "cannot read '%s': %s", path, strerror(e));
	if (n >= 4 && memcmp(b, "\177ELF", 4) == 0)
		return 0;
	if (n >= 8 && memcmp(b, "!<arch>\n", 8) == 0) {
		*ret_kind = PACKAGE_DEB;
		return 1;
	}
	if (tar_name(path) || tar_magic(b, (size_t)n)) {
		*ret_kind = PACKAGE_TARBALL;
		return 1;
	}
	return 0;
}

/* What the walk collects. */
struct walk {
	const char *root;
	const char *skip;       /* a real path passed over, or NULL */
	struct package *p;
	size_t seen;
};

/* A separate debug file (/usr/lib/debug, .debug) is ELF but never loaded. */
static bool debug_file(const char *rel)
{
	return str_starts(rel, "usr/lib/debug/") || str_ends(rel, ".debug");
}

/* The floor over every file: the highest node, and the first file (in
 * byte order) that needs it, with the library and a symbol. */
static void consider_floor(struct package *p, const char *rel, const struct elf_info *in)
{
	const char *f = glibc_floor(in);
	int cmp = f && p->floor ? version_cmp(f, p->floor) : 0;
	if (!f || (p->floor && (cmp < 0 || (cmp == 0 && strcmp(rel, p->floor_file) > 0))))
		return;
	cleanup_free char *node = xasprintf("GLIBC_%s", f);
	free(p->floor);
	free(p->floor_file);
	free(p->floor_library);
	free(p->floor_symbol);
	p->floor = xstrdup(f);
	p->floor_file = xstrdup(rel);
	p->floor_library = p->floor_symbol = NULL;
	p->floor_symbols = 0;
	for (size_t k = 0; k < in->n_needs && !p->floor_library; k++) {
		if (!glibc_is_floor_lib(in->needs[k].file))
			continue;
		for (size_t v = 0; v < in->needs[k].n_nodes; v++)
			if (strcmp(in->needs[k].nodes[v].name, node) == 0) {
				char **sym = in->needs[k].nodes[v].symbols;
				p->floor_library = xstrdup(in->needs[k].file);
				p->floor_symbol = sym && sym[0] ? xstrdup(sym[0]) : NULL;
				p->floor_symbols = strv_len(sym);
				break;
			}
	}
}

/* One regular file: an ELF file that loads or runs goes to files (and
 * counts for the floor: read once, with its symbols), another ELF file to
 * passed_over; anything else is not the package's code. */
static int walk_file(struct walk *w, const char *rel, struct gm_err **err)
{
	cleanup_free char *abs = path_join(w->root, rel);
	struct elf_info in;
	int r = elf_info_read_flags(abs, ELF_READ_SYMBOLS, &in, err);
	if (r < 0) {
		gm_err_wrap(err, "package '%s'", w->p->name);
		(*err)->code = GM_EXIT_USAGE;
		return -1;
	}
	if (r == 0)
		return 0;
	bool runs = elf_file_kind(&in) != ELF_FILE_OTHER && !debug_file(rel);
	strv_push(runs ? &w->p->files : &w->p->passed_over, rel);
	if (runs)
		consider_floor(w->p, rel, &in);
	elf_info_release(&in);
	return 0;
}

/* Walks root/rel without following symlinks, bounded in entries and depth. */
static int walk_tree(struct walk *w, const char *rel, int depth, struct gm_err **err)
{
	cleanup_free char *dir = *rel ? path_join(w->root, rel) : xstrdup(w->root);
	if (depth > PACKAGE_MAX_DEPTH)
		return gm_usage(err, "package '%s': deeper than %d directories at '%s': refused",
				w->p->name, PACKAGE_MAX_DEPTH, rel);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return gm_usage(err, "package '%s': cannot read directory '%s': %s", w->p->name, dir,
				strerror(errno));
	int r = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (r == 0 && strcmp(nm, ".") && strcmp(nm, "..")) {
			cleanup_free char *child = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
			cleanup_free char *abs = path_join(w->root, child);
			struct stat st;
			if (++w->seen > ARCHIVE_PACKAGE_MAX_ENTRIES)
				r = gm_usage(err, "package '%s': more than %zu files: refused, the "
						  "bound of a package", w->p->name,
					     ARCHIVE_PACKAGE_MAX_ENTRIES);
			else if (lstat(abs, &st) < 0)
				r = gm_usage(err, "package '%s': cannot read '%s': %s", w->p->name,
					     abs, strerror(errno));
			else if (S_ISDIR(st.st_mode) && !(w->skip && strcmp(abs, w->skip) == 0))
				r = walk_tree(w, child, depth + 1, err);
			else if (S_ISREG(st.st_mode))
				r = walk_file(w, child, err);
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The default directories of the loader, as the package would be
 * installed, that hold one of its files: the multiarch ones first, as
 * Debian's ld.so.conf has them. */
static void find_libdirs(struct package *p)
{
	static const char *const plain[] = {"lib64", "usr/lib64", "lib", "usr/lib", NULL};
	char **rel = xcalloc(1, sizeof(char *));
	for (size_t i = 0; p->files[i]; i++) {
		cleanup_free char *d = xstrdup(p->files[i]);
		char *slash = strrchr(d, '/');
		if (!slash)
			continue;
		*slash = '\0';
		const char *t = str_starts(d, "usr/lib/") ? d + 8 : str_starts(d, "lib/") ? d + 4 : NULL;
		if (t && !strchr(t, '/') && strstr(t, "-linux-gnu") && !strv_contains(rel, d))
			strv_push(&rel, d);
	}
	for (size_t k = 0; plain[k]; k++)
		for (size_t i = 0; p->files[i]; i++) {
			const char *slash = strrchr(p->files[i], '/');
			if (slash && (size_t)(slash - p->files[i]) == strlen(plain[k]) &&
			    str_starts(p->files[i], plain[k])) {
				strv_push(&rel, plain[k]);
				break;
			}
		}
	p->libdirs = xcalloc(1, sizeof(char *));
	for (size_t i = 0; rel[i]; i++)
		strv_push_take(&p->libdirs, path_join(p->root, rel[i]));
	strv_free(rel);
}

/* A .deb's control fields. */
static void read_control(struct package *p, const char *control)
{
	p->deb_package = control ? debindex_release_field(control, "Package") : NULL;
	p->deb_version = control ? debindex_release_field(control, "Version") : NULL;
	p->deb_arch = control ? debindex_release_field(control, "Architecture") : NULL;
	cleanup_free char *pre = control ? debindex_release_field(control, "Pre-Depends") : NULL;
	cleanup_free char *dep = control ? debindex_release_field(control, "Depends") : NULL;
	p->depends_field = pre && dep ? xasprintf("%s, %s", pre, dep)
					  : xstrdup(pre ? pre : dep ? dep : "");
	p->depends = debindex_depends(p->depends_field);
}

/* The archive unpacked into destdir, its symlinks kept inside it. */
static int unpack(const char *path, struct package *p, const char *destdir, char **control,
		  struct gm_err **err)
{
	const struct archive_bounds b = {.max_entries = ARCHIVE_PACKAGE_MAX_ENTRIES,
					 .max_bytes = ARCHIVE_PACKAGE_MAX_BYTES};
	if (mkdir_p(destdir, 0755, err) < 0)
		return -1;
	if (archive_extract_untrusted(path, p->kind == PACKAGE_DEB, destdir, &b,
				      p->kind == PACKAGE_DEB ? control : NULL, err) < 0)
		return -1;
	if (!(p->root = path_real(destdir, err)))
		return -1;
	return 0;
}

int package_open(const char *name, const char *path, enum package_kind kind,
		 const char *destdir, const char *skip, struct package *p, struct gm_err **err)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->kind = kind;
	p->files = xcalloc(1, sizeof(char *));
	p->passed_over = xcalloc(1, sizeof(char *));
	cleanup_free char *control = NULL;
	int r = kind == PACKAGE_DIR ? ((p->root = path_real(path, err)) ? 0 : -1)
				    : unpack(path, p, destdir, &control, err);
	cleanup_free char *skip_real = skip ? realpath(skip, NULL) : NULL;
	struct walk w = {.root = p->root, .skip = skip_real, .p = p};
	/* The walk first: it bounds the depth the symlink rewrite descends. */
	if (r == 0)
		r = walk_tree(&w, "", 0, err);
	if (r == 0 && kind != PACKAGE_DIR && rootpath_fix_symlinks(p->root, err) < 0)
		r = -1;
	if (r == 0 && !p->files[0])
		r = gm_usage(err, "package '%s' holds no ELF program or shared object%s", name,
			     p->passed_over[0] ? " (only objects that are neither)" : "");
	if (r < 0) {
		package_release(p);
		return -1;
	}
	qsort(p->files, strv_len(p->files), sizeof(char *), cmp_str);
	qsort(p->passed_over, strv_len(p->passed_over), sizeof(char *), cmp_str);
	if (kind == PACKAGE_DEB)
		read_control(p, control);
	find_libdirs(p);
	return 0;
}

void package_release(struct package *p)
{
	free(p->name);
	free(p->root);
	strv_free(p->files);
	strv_free(p->passed_over);
	strv_free(p->libdirs);
	free(p->deb_package);
	free(p->deb_version);
	free(p->deb_arch);
	free(p->depends_field);
	if (p->depends)
		debindex_depends_free(p->depends);
	free(p->floor);
	free(p->floor_file);
	free(p->floor_library);
	free(p->floor_symbol);
	memset(p, 0, sizeof(*p));
}
