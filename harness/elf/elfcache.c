#define _GNU_SOURCE
#include "elf/elfcache.h"
#include "base/strmap.h"
#include "base/util.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

struct entry {
	char *path;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int result;            /* 1 ELF, 0 not ELF */
	struct elf_info info;
};

/* Each entry is its own allocation: pointers handed out stay valid while
 * the index grows. */
static struct entry **entries;
static size_t n_entries;
/* path -> the newest entry of that path: a lookup per cell and library was
 * a scan of every entry (a thousand files in a matrix run). */
static struct strmap by_path = STRMAP_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool same(const struct entry *e, const struct stat *st)
{
	return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
	       e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

int elfcache_get(const char *path, const struct elf_info **ret, struct gm_err **err)
{
	struct stat st;
	struct elf_info info;
	if (stat(path, &st) < 0) {
		int e = errno;
		return gm_err_set(err, e == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, e,
				  "cannot open '%s'", path);
	}

	pthread_mutex_lock(&lock);
	size_t i;
	if (strmap_get(&by_path, path, &i) && same(entries[i], &st)) {
		int r = entries[i]->result;
		*ret = &entries[i]->info;
		pthread_mutex_unlock(&lock);
		return r;
	}
	pthread_mutex_unlock(&lock);

	/* Parsed outside the lock; two threads may both parse, one keeps it. */
	int r = elf_info_read_flags(path, ELF_READ_SYMBOLS, &info, err);
	if (r < 0)
		return -1;
	pthread_mutex_lock(&lock);
	entries = xrealloc(entries, (n_entries + 1) * sizeof(*entries));
	struct entry *e = xcalloc(1, sizeof(*e));
	entries[n_entries] = e;
	e->path = xstrdup(path);
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->size = st.st_size;
	e->mtime = st.st_mtim;
	e->result = r;
	e->info = info;
	strmap_set(&by_path, path, n_entries);
	n_entries++;
	*ret = &e->info;
	pthread_mutex_unlock(&lock);
	return r;
}

void elfcache_clear(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < n_entries; i++) {
		free(entries[i]->path);
		elf_info_release(&entries[i]->info);
		free(entries[i]);
	}
	free(entries);
	entries = NULL;
	n_entries = 0;
	strmap_release(&by_path);
	pthread_mutex_unlock(&lock);
}
