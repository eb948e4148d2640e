#define _GNU_SOURCE
#include "container/ownprogs.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/tsv.h"
#include "base/util.h"
#include "store/rootpath.h"

#include <string.h>

/* The host path of inside (absolute, in r's tree) when it is a regular
 * file there, or NULL. */
static char *in_tree(const struct rootfs *r, const char *inside)
{
	cleanup_free char *rel = rootpath_resolve(r->root, inside + 1);
	if (!rel)
		return NULL;
	char *host = path_join(r->root, rel);
	if (path_is_file(host))
		return host;
	free(host);
	return NULL;
}

static int add_row(const struct tsv *t, const struct rootfs *r, struct own_programs *p,
		   struct gm_err **err)
{
	const char *why = NULL;
	if (t->f[0][0] != '/')
		return tsv_error(t, err, "'%s': want an absolute path inside the tree", t->f[0]);
	char **args = strcmp(t->f[1], "-") ? strv_split_words(t->f[1], &why)
					   : xcalloc(1, sizeof(char *));
	if (!args)
		return tsv_error(t, err, "arguments '%s': %s", t->f[1], why);
	char *host = in_tree(r, t->f[0]);
	struct elf_info info;
	if (!host || elf_info_read(host, &info, NULL) != 1) {
		free(host);
		strv_free(args);
		return 0;
	}
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = (struct own_program){.name = xasprintf("image:%s", t->f[0]),
					    .inside = xstrdup(t->f[0]), .host = host,
					    .args = args, .kind = elf_file_kind(&info),
					    .arch = arch_by_machine(info.machine, info.elfclass)};
	elf_info_release(&info);
	return 0;
}

int ownprogs_load(const struct gm_config *cfg, const struct rootfs *r, struct own_programs *ret,
		  struct gm_err **err)
{
	cleanup_free char *path = path_join(cfg->containers, "own-programs.tsv");
	struct tsv t;
	int rc;
	memset(ret, 0, sizeof(*ret));
	if (tsv_open(&t, path, err) < 0)
		return -1;
	while ((rc = tsv_next(&t, 2, 2, "path, arguments", err)) == 1)
		if (add_row(&t, r, ret, err) < 0) {
			rc = -1;
			break;
		}
	tsv_release(&t);
	if (rc < 0)
		ownprogs_release(ret);
	return rc < 0 ? -1 : 0;
}

void ownprogs_release(struct own_programs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].inside);
		free(p->v[i].host);
		strv_free(p->v[i].args);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}
