#define _GNU_SOURCE
#include "elf/glibcbuild.h"
#include "base/cleanup.h"
#include "elf/elfcache.h"
#include "elf/glibcver.h"
#include "base/fs.h"
#include "base/util.h"

#include "base/strmap.h"

#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *build_id_of(const char *path)
{
	const struct elf_info *info;
	if (elfcache_get(path, &info, NULL) != 1)
		return NULL;
	return info->build_id;
}

static enum glibc_pairing pairing_of(const char *loader, const char *libc);

/* The answers so far, per "loader\nlibc": each asks three realpath (some
 * 30 readlink) and is asked for every cell, by the prediction and by the
 * classifier, of a few pairs per run.  The store's sysroots do not change
 * under a run. */
static struct strmap pairs = STRMAP_INIT;
static pthread_mutex_t pairs_lock = PTHREAD_MUTEX_INITIALIZER;

enum glibc_pairing glibc_pairing(const char *loader, const char *libc)
{
	cleanup_free char *key = xasprintf("%s\n%s", loader, libc);
	size_t v;
	pthread_mutex_lock(&pairs_lock);
	bool known = strmap_get(&pairs, key, &v);
	pthread_mutex_unlock(&pairs_lock);
	if (known)
		return (enum glibc_pairing)v;
	enum glibc_pairing p = pairing_of(loader, libc);
	pthread_mutex_lock(&pairs_lock);
	strmap_set(&pairs, key, (size_t)p);
	pthread_mutex_unlock(&pairs_lock);
	return p;
}

static enum glibc_pairing pairing_of(const char *loader, const char *libc)
{
	cleanup_free char *real_ld = realpath(loader, NULL);
	cleanup_free char *real_libc = realpath(libc, NULL);
	if (!real_ld || !real_libc)
		return GLIBC_PAIR_UNKNOWN;
	cleanup_free char *dir = xstrdup(real_ld);
	cleanup_free char *partner = path_join(dirname(dir), "libc.so.6");
	cleanup_free char *real_partner = realpath(partner, NULL);
	if (!real_partner)
		return GLIBC_PAIR_UNKNOWN;
	if (strcmp(real_partner, real_libc) == 0)
		return GLIBC_PAIR_SAME;
	const char *a = build_id_of(real_partner), *b = build_id_of(real_libc);
	if (!a || !b)
		return GLIBC_PAIR_UNKNOWN;
	return strcmp(a, b) == 0 ? GLIBC_PAIR_SAME : GLIBC_PAIR_MIXED;
}

char *glibc_loader_version(const char *loader)
{
	cleanup_free char *real_ld = realpath(loader, NULL);
	if (!real_ld)
		return NULL;
	cleanup_free char *partner = path_join(dirname(real_ld), "libc.so.6");
	char *version = NULL, *node = NULL;
	if (glibc_libc_version(partner, &version, &node, NULL) != 1)
		return NULL;
	free(node);
	return version;
}

char *glibc_build_id_short(const char *path)
{
	const char *id = build_id_of(path);
	return id ? xstrndup(id, 12) : NULL;
}
