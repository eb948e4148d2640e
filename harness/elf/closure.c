#define _GNU_SOURCE
#include "elf/closure.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "elf/elfcache.h"
#include "elf/glibcver.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void add(struct closure *c, const char *path, const char *as, const char *by,
		const struct elf_info *in)
{
	c->objs = xrealloc(c->objs, (c->n + 1) * sizeof(*c->objs));
	struct closure_obj *o = &c->objs[c->n++];
	o->path = xstrdup(path);
	o->needed_as = as ? xstrdup(as) : NULL;
	o->needed_by = by ? xstrdup(by) : NULL;
	const char *f = glibc_floor(in);
	o->floor = f ? xstrdup(f) : NULL;
}

static bool have(const struct closure *c, const char *real)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->objs[i].path, real) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int elf_closure(const char *file, struct closure *c, struct gm_err **err)
{
	memset(c, 0, sizeof(*c));
	c->outside = xcalloc(1, sizeof(char *));
	cleanup_free char *real = realpath(file, NULL);
	const struct elf_info *top;
	int r = real ? elfcache_get(real, &top, err) : -1;
	if (r <= 0) {
		closure_release(c);
		if (r == 0)
			return gm_usage(err, "'%s' is not an ELF file", file);
		return real ? -1 : gm_usage(err, "cannot read '%s'", file);
	}
	add(c, real, NULL, NULL, top);
	/* An executable's DT_RPATH (not DT_RUNPATH) is searched for the
	 * needs of every object below it that has no DT_RUNPATH. */
	cleanup_strv char **top_rpath = !top->runpath && top->rpath ? elf_own_search_path(top, real)
								     : NULL;
	for (size_t i = 0; i < c->n; i++) {
		const struct elf_info *in;
		if (elfcache_get(c->objs[i].path, &in, err) != 1)
			goto fail;
		cleanup_strv char **dirs = elf_own_search_path(in, c->objs[i].path);
		if (!in->runpath)
			for (size_t k = 0; top_rpath && top_rpath[k]; k++)
				if (!strv_contains(dirs, top_rpath[k]))
					strv_push(&dirs, top_rpath[k]);
		for (size_t k = 0; in->needed && in->needed[k]; k++) {
			const char *name = in->needed[k];
			bool found = false;
			for (size_t d = 0; !found && !glibc_is_glibc_lib(name) && dirs[d]; d++) {
				cleanup_free char *p = path_join(dirs[d], name);
				cleanup_free char *rp = realpath(p, NULL);
				const struct elf_info *lib;
				if (!rp)
					continue;
				int lr = elfcache_get(rp, &lib, err);
				if (lr < 0) {
					gm_err_wrap(err, "bundled library '%s' (needed by %s)", p,
						    c->objs[i].path);
					goto fail;
				}
				/* The loader skips a file of another machine or class. */
				if (lr == 0 || lib->machine != top->machine ||
				    lib->elfclass != top->elfclass)
					continue;
				found = true;
				if (!have(c, rp))
					add(c, rp, name, c->objs[i].path, lib);
			}
			if (!found && !strv_contains(c->outside, name))
				strv_push(&c->outside, name);
		}
	}
	qsort(c->outside, strv_len(c->outside), sizeof(char *), cmp_str);
	for (size_t i = 0; i < c->n; i++)
		if (c->objs[i].floor && (!c->floor || version_cmp(c->objs[i].floor, c->floor) > 0)) {
			c->floor = c->objs[i].floor;
			c->floor_by = c->objs[i].path;
		}
	return 0;
fail:
	closure_release(c);
	return -1;
}

void closure_release(struct closure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->objs[i].path);
		free(c->objs[i].needed_as);
		free(c->objs[i].needed_by);
		free(c->objs[i].floor);
	}
	free(c->objs);
	strv_free(c->outside);
	memset(c, 0, sizeof(*c));
}
