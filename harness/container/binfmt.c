#define _GNU_SOURCE
#include "container/binfmt.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Hex text ("7f454c46...") into bytes; returns the count. */
static size_t unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	while (n < max && s[0] && s[1]) {
		char byte[3] = {s[0], s[1], 0}, *end;
		unsigned long v = strtoul(byte, &end, 16);
		if (*end)
			break;
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

struct entry {
	bool enabled, flag_f;
	long offset;
	unsigned char magic[128], mask[128];
	size_t n_magic, n_mask;
	char *interpreter;
};

/* One entry file: "enabled", "interpreter P", "flags: OPF", "offset 0",
 * "magic HEX", "mask HEX" (fs/binfmt_misc.c, entry_status()). */
static void entry_parse(char *text, struct entry *e)
{
	char *save = NULL;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strcmp(l, "enabled") == 0)
			e->enabled = true;
		else if (str_starts(l, "interpreter "))
			e->interpreter = xstrdup(l + strlen("interpreter "));
		else if (str_starts(l, "flags:"))
			e->flag_f = strchr(l + strlen("flags:"), 'F') != NULL;
		else if (str_starts(l, "offset "))
			e->offset = strtol(l + strlen("offset "), NULL, 10);
		else if (str_starts(l, "magic "))
			e->n_magic = unhex(l + strlen("magic "), e->magic, sizeof(e->magic));
		else if (str_starts(l, "mask "))
			e->n_mask = unhex(l + strlen("mask "), e->mask, sizeof(e->mask));
	}
}

/* Does the entry's magic accept an ELF header of a's class and machine
 * (little-endian e_machine at bytes 18-19)? */
static bool entry_matches(const struct entry *e, const struct gm_arch *a)
{
	unsigned char want[20] = {0x7f, 'E', 'L', 'F', (unsigned char)a->elfclass, 1};
	want[18] = (unsigned char)(a->machine & 0xff);
	want[19] = (unsigned char)(a->machine >> 8);
	if (e->offset != 0 || e->n_magic < 20)
		return false;
	static const size_t checked[] = {0, 1, 2, 3, 4, 5, 18, 19};
	for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
		size_t k = checked[i];
		unsigned char m = k < e->n_mask ? e->mask[k] : 0xff;
		if ((want[k] & m) != (e->magic[k] & m))
			return false;
	}
	return true;
}

static int binfmt_read(const char *dir, const struct gm_arch *a, char **why)
{
	cleanup_free char *status_path = path_join(dir, "status");
	cleanup_free char *status = NULL;
	if (read_file(status_path, &status, NULL, NULL) < 0) {
		*why = xasprintf("binfmt_misc is not mounted at %s, so the kernel cannot run %s "
				 "programs in a container (as root: ci/binfmt.sh)", dir, a->gnu);
		return 0;
	}
	if (!str_starts(status, "enabled")) {
		*why = xasprintf("binfmt_misc at %s is disabled (%s)", dir, status_path);
		return 0;
	}
	DIR *d = opendir(dir);
	struct dirent *de;
	cleanup_free char *without_f = NULL;
	int ready = 0;
	while (d && !ready && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "status") == 0 ||
		    strcmp(de->d_name, "register") == 0)
			continue;
		cleanup_free char *p = path_join(dir, de->d_name);
		cleanup_free char *text = NULL;
		if (read_file(p, &text, NULL, NULL) < 0)
			continue;
		struct entry e = {0};
		entry_parse(text, &e);
		if (e.enabled && entry_matches(&e, a)) {
			if (e.flag_f)
				ready = 1;
			else if (!without_f)
				without_f = xstrdup(de->d_name);
		}
		free(e.interpreter);
	}
	if (d)
		closedir(d);
	if (ready)
		return 1;
	if (without_f)
		*why = xasprintf("binfmt_misc entry '%s' runs %s programs without the F flag: its "
				 "interpreter is not reachable inside a container (register it "
				 "again with F: ci/binfmt.sh)", without_f, a->gnu);
	else
		*why = xasprintf("binfmt_misc has no enabled entry for %s ELF programs (as root: "
				 "ci/binfmt.sh registers Debian's qemu-user-static ones)", a->gnu);
	return 0;
}

/* Every cell of a foreign tree asks; the directory is read once per
 * architecture (and directory) for the process. */
int binfmt_ready(const struct gm_config *cfg, const struct gm_arch *a, char **why)
{
	static struct {
		const struct gm_arch *arch;
		char *dir, *why;
		int ready;
	} memo[8];
	static size_t n;
	const char *dir = cfg->binfmt_dir;
	size_t i = 0;
	while (i < n && !(memo[i].arch == a && strcmp(memo[i].dir, dir) == 0))
		i++;
	if (i == n) {
		char *w = NULL;
		int r = binfmt_read(dir, a, &w);
		if (n == sizeof(memo) / sizeof(memo[0])) {
			*why = w;
			return r;
		}
		memo[n++] = (typeof(memo[0])){.arch = a, .dir = xstrdup(dir), .why = w, .ready = r};
	}
	*why = memo[i].why ? xstrdup(memo[i].why) : NULL;
	return memo[i].ready;
}
