#define _GNU_SOURCE
#include "elf/glibcver.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool name_is(const char *soname, const char *stem)
{
	size_t n = strlen(stem);
	return strncmp(soname, stem, n) == 0 && (soname[n] == '.' || soname[n] == '\0');
}

bool glibc_is_floor_lib(const char *soname)
{
	static const char *const libs[] = {"libc.so", "libm.so", "libpthread.so", "libdl.so",
					   "librt.so", "libutil.so", "libanl.so", "libresolv.so",
					   NULL};
	for (size_t i = 0; libs[i]; i++)
		if (name_is(soname, libs[i]))
			return true;
	return str_starts(soname, "ld-linux") || str_starts(soname, "ld64.so") ||
	       str_starts(soname, "ld.so");
}

bool glibc_is_glibc_lib(const char *soname)
{
	/* Exact sonames, never stems: other projects ship libraries whose
	 * names start like glibc's (libnsl.so.2 of libnsl2, libnss_systemd.so.2
	 * of systemd, libnss_sss.so.2 of SSSD), and a host's "glibc set" that
	 * took them in would hold two files of one soname.  Sonames glibc
	 * installs beside the floor libraries, 2.17 to 2.44 (a version that
	 * lacks one simply has no such file): */
	static const char *const libs[] = {
		"libnsl.so.1",            /* compatibility-only since 2.28 */
		"libBrokenLocale.so.1",
		"libmvec.so.1",           /* 2.22 */
		"libc_malloc_debug.so.0", /* 2.34 */
		"libthread_db.so.1",
		"libcidn.so.1",           /* until 2.27 */
		"libnss_files.so.2", "libnss_dns.so.2", "libnss_compat.so.2", "libnss_hesiod.so.2",
		"libnss_db.so.2",
		"libnss_nis.so.2", "libnss_nisplus.so.2", /* until 2.33 (--enable-obsolete-nsl) */
		"libmemusage.so", "libpcprofile.so", /* preloaded by name, no version */
		NULL,
	};
	if (glibc_is_floor_lib(soname))
		return true;
	for (size_t i = 0; libs[i]; i++)
		if (strcmp(soname, libs[i]) == 0)
			return true;
	return false;
}

const char *glibc_node_version(const char *node)
{
	if (!str_starts(node, "GLIBC_"))
		return NULL;
	const char *v = node + strlen("GLIBC_");
	return version_valid(v) ? v : NULL;
}

bool glibc_node_special(const char *node)
{
	return strcmp(node, "GLIBC_PRIVATE") == 0 || str_starts(node, "GLIBC_ABI_");
}

const char *glibc_special_since(const char *node)
{
	if (strcmp(node, "GLIBC_ABI_DT_RELR") == 0)
		return "2.36";
	if (strcmp(node, "GLIBC_ABI_GNU2_TLS") == 0)
		return "2.43";
	return NULL;
}

const char *glibc_floor(const struct elf_info *info)
{
	const char *best = NULL;
	for (size_t i = 0; i < info->n_needs; i++) {
		if (!glibc_is_floor_lib(info->needs[i].file))
			continue;
		for (size_t k = 0; k < info->needs[i].n_nodes; k++) {
			const char *v = glibc_node_version(info->needs[i].nodes[k].name);
			if (v && (!best || version_cmp(v, best) > 0))
				best = v;
		}
	}
	return best;
}

/* The version after the key at p, within [p, end); NULL if none. */
static char *banner_digits(const char *p, const char *end)
{
	size_t n = 0;
	while (p + n < end && (p[n] == '.' || (p[n] >= '0' && p[n] <= '9')))
		n++;
	while (n && p[n - 1] == '.')
		n--;
	return n ? xstrndup(p, n) : NULL;
}

char *glibc_banner_version(const char *path)
{
	static const char key[] = "release version ";
	enum { KEY = sizeof(key) - 1, TAIL = KEY + 32, CHUNK = 1 << 20 };
	cleanup_close int fd = fs_open_input(path, NULL);
	if (fd < 0)
		return NULL;
	/* A window of CHUNK bytes plus the last TAIL of the one before, so a
	 * banner across two reads is seen whole; memory stays at one window
	 * whatever the file's size (a sparse file of gigabytes is read, not
	 * held), and the scan stops at GLIBC_BANNER_SCAN_MAX. */
	cleanup_free char *buf = xmalloc(CHUNK + TAIL);
	size_t keep = 0;
	for (size_t done = 0; done < GLIBC_BANNER_SCAN_MAX;) {
		ssize_t n = read(fd, buf + keep, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return NULL;
		bool eof = n == 0;
		size_t len = keep + (size_t)n;
		const char *p = memmem(buf, len, key, KEY);
		/* A match whose version may run past the window waits for the
		 * next read, unless there is none. */
		if (p && (eof || (size_t)(p - buf) + TAIL <= len))
			return banner_digits(p + KEY, buf + len);
		if (eof)
			return NULL;
		done += (size_t)n;
		keep = len < TAIL ? len : TAIL;
		memmove(buf, buf + len - keep, keep);
	}
	return NULL;
}

static int libc_version_read(const char *path, char **ret_version, char **ret_node,
			     struct gm_err **err);

/* Answers so far, each for one state of its file (device, inode, size,
 * times): the classifier asks per cell of a user's program, and each answer
 * reads the ELF file and scans its 2 MB for the banner. */
struct known_libc {
	char *path;
	struct stat st;
	int r;
	char *version, *node;
	struct known_libc *next;
};
static struct known_libc *known_libcs;
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int glibc_libc_version(const char *path, char **ret_version, char **ret_node,
		       struct gm_err **err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return libc_version_read(path, ret_version, ret_node, err);
	pthread_mutex_lock(&known_lock);
	for (struct known_libc *k = known_libcs; k; k = k->next)
		if (strcmp(k->path, path) == 0 && same_file(&k->st, &st)) {
			int r = k->r;
			if (r == 1) {
				*ret_version = xstrdup(k->version);
				*ret_node = xstrdup(k->node);
			}
			pthread_mutex_unlock(&known_lock);
			return r;
		}
	pthread_mutex_unlock(&known_lock);
	int r = libc_version_read(path, ret_version, ret_node, err);
	if (r < 0)
		return r;
	struct known_libc *k = xcalloc(1, sizeof(*k));
	k->path = xstrdup(path);
	k->st = st;
	k->r = r;
	if (r == 1) {
		k->version = xstrdup(*ret_version);
		k->node = xstrdup(*ret_node);
	}
	pthread_mutex_lock(&known_lock);
	k->next = known_libcs;
	known_libcs = k;
	pthread_mutex_unlock(&known_lock);
	return r;
}

static int libc_version_read(const char *path, char **ret_version, char **ret_node,
			     struct gm_err **err)
{
	struct elf_info info = {0};
	int r = elf_info_read(path, &info, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return gm_err_set(err, GM_EXIT_INFRA, 0, "'%s' is not an ELF file", path);
	char *newest = NULL;
	for (size_t i = 0; info.verdefs && info.verdefs[i]; i++) {
		const char *v = glibc_node_version(info.verdefs[i]);
		if (v && version_valid(v) && (!newest || version_cmp(v, newest) > 0)) {
			free(newest);
			newest = xstrdup(v);
		}
	}
	elf_info_release(&info);
	if (!newest)
		return 0;
	/* The banner only refines the node: same major version, not older. */
	char *banner = glibc_banner_version(path);
	if (banner && version_cmp(banner, newest) >= 0 && strtol(banner, NULL, 10) == strtol(newest, NULL, 10)) {
		*ret_version = banner;
	} else {
		free(banner);
		*ret_version = xstrdup(newest);
	}
	*ret_node = newest;
	return 1;
}
