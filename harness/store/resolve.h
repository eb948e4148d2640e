/* One name resolver for every command that takes a sysroot (explain, check,
 * exec, flags, run, sysroot show).
 *
 * A name is, in this order:
 *   - "host": the glibc this machine runs on;
 *   - an exact sysroot name ("glibc-2.31", "debian-bookworm-amd64");
 *   - a profile ("rhel8", "manylinux_2_28", "debian12": store/profiles.h):
 *     its stand-in (a version or a suite) resolved, a note saying what it
 *     stands for, a miss naming the profile;
 *   - a Debian suite ("bookworm": debian-bookworm-<arch>);
 *   - a glibc version ("2.36": the sysroot of that version for arch; the one
 *     built from source when both exist, upstream's glibc being the
 *     reference; a note names the others).
 * arch is the GNU name of the architecture wanted (the file's), or NULL for
 * the host's.  A miss is a usage error (exit 2) that says what is in the
 * store, "did you mean" for a near name, and the fastest way to get what
 * was asked for: `sysroot import SUITE` (seconds) where a suite ships that
 * glibc (sysroots/suites.tsv), else `sysroot build VERSION` (minutes). */
#ifndef GM_RESOLVE_H
#define GM_RESOLVE_H

#include "base/err.h"
#include "base/ui.h"
#include "store/sysroot.h"

/* In the store and with the recipes of cfg; ctx (may be NULL) hears which
 * of several matches was taken. */
int sysroot_resolve(const struct gm_config *cfg, const struct gm_ctx *ctx, const char *name,
		    const char *arch, struct sysroot *ret, struct gm_err **err);

#endif
