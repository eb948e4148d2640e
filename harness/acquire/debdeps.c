#define _GNU_SOURCE
#include "acquire/debdeps.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The glibc set; alternatives are tried in order. */
static const char *const glibc_set[][3] = {
	{"libc6", NULL},
	{"libc6-dev", NULL},
	{"linux-libc-dev", NULL},
	/* C++ programs need libgcc_s; it was libgcc1 before GCC 10 (buster). */
	{"libgcc-s1", "libgcc1", NULL},
};

struct resolver {
	const char *index, *arch, *suite;
	struct debset *set;
	bool quiet;  /* the default C++ set: what it leaves out is expected */
};

static bool chosen(const struct debset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->pkgs[i].package, name) == 0)
			return true;
	return false;
}

static void take(struct debset *s, struct debpkg *p)
{
	s->pkgs = xrealloc(s->pkgs, (s->n + 1) * sizeof(*s->pkgs));
	s->pkgs[s->n++] = *p;
	memset(p, 0, sizeof(*p));
}

/* Adds the package and, recursively, the run-time libraries it depends on.
 * The chosen list is the visited set, so cycles (libc6 <-> libgcc-s1) end. */
static void add_with_deps(struct resolver *r, struct debpkg *p)
{
	cleanup_free char *name = xstrdup(p->package);
	cleanup_free char *depends = xstrdup(p->depends);
	take(r->set, p);
	char ***clauses = debindex_depends(depends);
	for (size_t i = 0; clauses[i]; i++) {
		const char *pick = NULL;
		struct debpkg d = {0};
		for (size_t k = 0; clauses[i][k] && !pick; k++) {
			if (chosen(r->set, clauses[i][k]))
				pick = "";
			else if (debindex_find(r->index, clauses[i][k], r->arch, &d))
				pick = clauses[i][k];
		}
		if (!pick) {
			/* Only virtual packages (debconf-2.0): nothing to load. */
			if (!r->quiet)
				strv_push_take(&r->set->notes,
					       xasprintf("%s depends on %s, which no package of %s "
							 "is named: not taken",
							 name, clauses[i][0], r->suite));
			continue;
		}
		if (!*pick)
			continue;
		if (debpkg_is_runtime_library(&d))
			add_with_deps(r, &d);
		else if (!r->quiet)
			strv_push_take(&r->set->notes,
				       xasprintf("%s depends on %s, which is not a run-time library "
						 "(Section %s, Multi-Arch %s): not taken",
						 name, pick, *d.section ? d.section : "none",
						 *d.multi_arch ? d.multi_arch : "no"));
		debpkg_release(&d);
	}
	debindex_depends_free(clauses);
}

/* GCC's major version from libstdc++6's Debian version: "12.2.0-14" and
 * "1:14.2.0-19" give "12" and "14". */
static char *gcc_major(const char *version)
{
	const char *v = strchr(version, ':');
	v = v ? v + 1 : version;
	size_t n = strspn(v, "0123456789");
	return n ? xstrndup(v, n) : NULL;
}

/* libstdc++6 and its headers: C++ programs and node-style hosts load
 * libstdc++.so.6, and `flags --c++` compiles against the suite's own
 * libstdc++ so the result needs no newer GLIBCXX_ than the suite has. */
static void add_cxx(struct resolver *r)
{
	struct debpkg p = {0};
	if (chosen(r->set, "libstdc++6"))
		return;
	if (!debindex_find(r->index, "libstdc++6", r->arch, &p)) {
		strv_push_take(&r->set->notes, xasprintf("%s has no libstdc++6 for %s: C++ "
							 "programs will load the host's", r->suite, r->arch));
		return;
	}
	cleanup_free char *major = gcc_major(p.version);
	r->quiet = true; /* libstdc++-N-dev's libgcc-N-dev: the host compiler has its own */
	add_with_deps(r, &p);
	cleanup_free char *dev = major ? xasprintf("libstdc++-%s-dev", major) : NULL;
	if (dev && !chosen(r->set, dev) && debindex_find(r->index, dev, r->arch, &p))
		add_with_deps(r, &p);
	else if (dev && !chosen(r->set, dev))
		strv_push_take(&r->set->notes, xasprintf("%s has no %s for %s: flags --c++ will use "
							 "the host's C++ headers", r->suite, dev, r->arch));
	r->quiet = false;
}

bool debdeps_name_valid(const char *name)
{
	size_t n = strlen(name);
	return n >= 2 && n <= 128 && strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]) &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789+.-") == n;
}

int debdeps_resolve(const char *index, const char *arch, const char *suite, char *const *with,
		    struct debset *ret, struct gm_err **err)
{
	struct resolver r = {.index = index, .arch = arch, .suite = suite, .set = ret};
	memset(ret, 0, sizeof(*ret));
	ret->notes = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < sizeof(glibc_set) / sizeof(glibc_set[0]); i++) {
		struct debpkg p = {0};
		bool found = false;
		for (size_t k = 0; glibc_set[i][k] && !found; k++)
			found = debindex_find(index, glibc_set[i][k], arch, &p);
		if (!found) {
			debset_release(ret);
			return gm_infra(err, 0, "suite '%s' has no package %s for %s", suite,
					glibc_set[i][0], arch);
		}
		take(ret, &p);
	}
	add_cxx(&r);
	for (size_t i = 0; with && with[i]; i++) {
		struct debpkg p = {0};
		if (chosen(ret, with[i]))
			continue;
		if (!debindex_find(index, with[i], arch, &p)) {
			int rc = gm_usage(err, "suite '%s' has no package '%s' for %s (--with takes "
					  "binary package names, e.g. libtinfo6,zlib1g)",
					  suite, with[i], arch);
			debset_release(ret);
			return rc;
		}
		add_with_deps(&r, &p);
	}
	return 0;
}

void debset_release(struct debset *s)
{
	for (size_t i = 0; i < s->n; i++)
		debpkg_release(&s->pkgs[i]);
	free(s->pkgs);
	strv_free(s->notes);
	memset(s, 0, sizeof(*s));
}
