#define _GNU_SOURCE
#include "store/resolve.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "store/profiles.h"
#include "store/recipes.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

static void take(struct sysroot *v, size_t n, size_t i, struct sysroot *ret)
{
	*ret = v[i];
	memset(&v[i], 0, sizeof(v[i]));
	sysroot_list_free(v, n);
}

/* The suggestion for a miss: how to get it, or the nearest name. */
static char *suggestion(const struct gm_config *cfg, const char *name, const char *arch, const struct sysroot *v, size_t n)
{
	cleanup_free char *suite = NULL, *suite_version = NULL;
	bool ours = !arch || (arch_host() && strcmp(arch, arch_host()->gnu) == 0);
	const struct gm_arch *a = arch_by_gnu(arch ? arch : "");
	cleanup_free char *arch_opt = !ours && a ? xasprintf(" --arch %s", a->deb) : xstrdup("");
	if (version_valid(name)) {
		struct recipe r;
		int known = ours ? recipes_find(cfg, name, &r, NULL) : 0;
		if (known == 1)
			recipe_release(&r);
		cleanup_free char *build = known == 1 ? xasprintf(", or build it from source with "
								  "'glibc-matrix sysroot build %s' "
								  "(minutes)", name)
						      : xstrdup("");
		if (recipes_suite_for_version(cfg, name, &suite, NULL) == 1)
			return xasprintf("get it in seconds with 'glibc-matrix sysroot import %s%s'%s",
					 suite, arch_opt, build);
		if (known == 1)
			return xasprintf("build it with 'glibc-matrix sysroot build %s' (minutes)", name);
		return xasprintf("no Debian suite listed in sysroots/suites.tsv ships it and "
				 "sysroots/versions.tsv does not know it; 'glibc-matrix sysroot "
				 "build' takes a tarball or a source tree of any version");
	}
	if (recipes_version_of_suite(cfg, name, &suite_version, NULL) == 1)
		return xasprintf("import it with 'glibc-matrix sysroot import %s%s' (glibc %s)", name,
				 arch_opt, suite_version);
	/* Near names: each sysroot's, and the suite inside an import's
	 * (debian-SUITE-ARCH), since "bookwrm" is a typo of the suite. */
	const char *best = NULL;
	cleanup_free char *best_word = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *word = xstrdup(v[i].name);
		size_t d = edit_distance(name, word);
		if (str_starts(word, "debian-") && strrchr(word, '-') > word + 7) {
			char *suite_part = xstrndup(word + 7, (size_t)(strrchr(word, '-') - word - 7));
			size_t ds = edit_distance(name, suite_part);
			if (ds < d) {
				d = ds;
				free(word);
				word = suite_part;
			} else {
				free(suite_part);
			}
		}
		if (d < best_d) {
			best_d = d;
			best = v[i].name;
			free(best_word);
			best_word = xstrdup(word);
		}
	}
	if (best && best_d * 3 <= strlen(name) + 1)
		return strcmp(best, best_word) == 0
			       ? xasprintf("did you mean '%s'?", best)
			       : xasprintf("did you mean '%s' (%s)?", best_word, best);
	return xstrdup("see 'glibc-matrix sysroot list'");
}

/* A profile (store/profiles.h): what it stands for, said, then its
 * stand-in resolved as if named.  1 resolved, 0 not a profile, -1 + err
 * (the miss names the profile and how to get its stand-in). */
static int resolve_profile(const struct gm_config *cfg, const struct gm_ctx *ctx,
			   const char *name, const char *arch, struct sysroot *ret,
			   struct gm_err **err)
{
	struct profile p;
	int r = profile_find(cfg, name, &p, err);
	if (r <= 0)
		return r;
	if (sysroot_resolve(cfg, ctx, p.stand_in, arch, ret, err) < 0) {
		gm_err_wrap(err, "%s (glibc %s; %s)", name, p.glibc, p.words);
		profile_release(&p);
		return -1;
	}
	gm_note(ctx, "%s stands for glibc %s: %s; using %s", name, p.glibc, p.words, ret->name);
	profile_release(&p);
	return 1;
}

int sysroot_resolve(const struct gm_config *cfg, const struct gm_ctx *ctx, const char *name, const char *arch,
		    struct sysroot *ret, struct gm_err **err)
{
	struct sysroot *v;
	size_t n;
	if (!arch)
		arch = arch_host() ? arch_host()->gnu : "unknown";
	if (!store_name_valid(name))
		return gm_usage(err, "'%s' is not a valid sysroot name", name);
	if (strcmp(name, "host") == 0) {
		sysroot_host(ret);
		return 0;
	}
	/* An exact name is read and validated as it stands: a bad manifest is
	 * reported as such (exit 2 when it is not a manifest, 3 when it is
	 * refused: sysroot_parse), not passed over as "no such sysroot". */
	cleanup_free char *manifest = xasprintf("%s/sysroots/%s/%s", cfg->store, name,
						SYSROOT_MANIFEST);
	if (path_exists(manifest))
		return sysroot_find(cfg, name, ret, err);
	/* Every manifest is read to look for a suite or a version: a bad one is
	 * named (as every listing names it) and passed over. */
	cleanup_strv char **invalid = NULL;
	if (sysroot_list_checked(cfg, &v, &n, &invalid, err) < 0)
		return -1;
	for (size_t i = 0; invalid && invalid[i]; i++)
		gm_note(NULL, "warning: skipping a sysroot (remove it with 'sysroot remove'): %s",
			invalid[i]);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			take(v, n, i, ret);
			return 0;
		}
	int pr = resolve_profile(cfg, ctx, name, arch, ret, err);
	if (pr != 0) {
		sysroot_list_free(v, n);
		return pr < 0 ? -1 : 0;
	}
	/* A suite: the import's name for the architecture wanted. */
	const struct gm_arch *a = arch_by_gnu(arch);
	if (a) {
		cleanup_free char *imported = xasprintf("debian-%s-%s", name, a->deb);
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].name, imported) == 0) {
				take(v, n, i, ret);
				return 0;
			}
	}
	if (version_valid(name)) {
		int best = -1;
		cleanup_free char *all = xstrdup("");
		size_t count = 0;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].glibc_version, name) || strcmp(v[i].arch, arch))
				continue;
			cleanup_free char *origin = sysroot_origin_text(&v[i]);
			char *next = xasprintf("%s%s%s (%s)", all, count++ ? ", " : "", v[i].name,
					       origin);
			free(all);
			all = next;
			if (best < 0 || (v[i].origin == ORIGIN_SOURCE &&
					 v[best].origin != ORIGIN_SOURCE))
				best = (int)i;
		}
		if (best >= 0) {
			if (count > 1)
				gm_note(ctx, "glibc %s for %s is %s; using %s (the source build is "
					     "upstream's glibc; name one to choose)",
					name, arch, all, v[best].name);
			take(v, n, (size_t)best, ret);
			return 0;
		}
	}
	cleanup_free char *hint = suggestion(cfg, name, arch, v, n);
	sysroot_list_free(v, n);
	if (version_valid(name))
		return gm_usage(err, "no sysroot with glibc %s for %s in '%s': %s", name, arch,
				cfg->store, hint);
	return gm_usage(err, "no sysroot named '%s' in '%s': %s", name, cfg->store, hint);
}
