#define _GNU_SOURCE
#include "store/profiles.h"
#include "store/recipes.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/tsv.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

void profile_release(struct profile *p)
{
	free(p->name);
	free(p->glibc);
	free(p->stand_in);
	free(p->words);
	memset(p, 0, sizeof(*p));
}

int profile_find(const struct gm_config *cfg, const char *name, struct profile *ret,
		 struct gm_err **err)
{
	struct tsv t;
	int r = recipes_open(cfg, "profiles.tsv", &t, err);
	if (r <= 0)
		return r;
	while ((r = tsv_next(&t, 4, 4, "name, glibc, stands in, what it stands for", err)) == 1) {
		if ((r = recipes_version_field(&t, 1, err)) < 0)
			break;
		if (strcmp(t.f[0], name) != 0)
			continue;
		*ret = (struct profile){.name = xstrdup(t.f[0]), .glibc = xstrdup(t.f[1]),
					.stand_in = xstrdup(t.f[2]), .words = xstrdup(t.f[3])};
		break;
	}
	tsv_release(&t);
	return r;
}
