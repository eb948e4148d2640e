/* Profiles: the names people give a target ("centos7", "manylinux_2_28",
 * "ubuntu-22.04", "debian12"), each with its glibc version and the sysroot
 * that stands for it (sysroots/profiles.tsv, cfg->recipes).  The resolver
 * (store/resolve.h) takes them wherever a sysroot is named and says what
 * the name stands for: a source build of upstream's glibc stands for a
 * distribution's without its backports. */
#ifndef GM_PROFILES_H
#define GM_PROFILES_H

#include "base/config.h"
#include "base/err.h"

struct profile {
	char *name;
	char *glibc;       /* "2.28" */
	char *stand_in;    /* a glibc version or a Debian suite: what the resolver is asked */
	char *words;       /* what the stand-in is, for the note */
};

/* 1 + *ret when name is a profile, 0 when not (or the file is missing),
 * -1 + err when profiles.tsv is malformed (the file and line named). */
int profile_find(const struct gm_config *cfg, const char *name, struct profile *ret,
		 struct gm_err **err);
void profile_release(struct profile *p);

#endif
