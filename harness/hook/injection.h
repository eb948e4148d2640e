/* Injecting a host glibc (and other host libraries) into a container that
 * an OCI runtime is creating: what glibc-inject does once its options and
 * the container's state are known.
 *
 * Order, so that a refusal leaves nothing behind: open the host files and
 * the trusted ldconfig (host namespace); enter the container's mount
 * namespace; find the container's glibc and compare versions; resolve (or
 * create) every target inside the root; only then mount, each host file
 * bound over its target.  Any failure on the way takes back every mount,
 * file and directory made (inroot.h's journal). */
#ifndef GM_INJECTION_H
#define GM_INJECTION_H

#include <stdbool.h>

#include "base/err.h"
#include "hook/state.h"

#define INJECT_LIB_DIR "/usr/local/lib/glibc-inject"
#define INJECT_LDCONFIG "/sbin/ldconfig"
/* The largest container libc.so.6 the hook reads (a glibc with its debug
 * information is about 20 MiB); a larger one is refused unread. */
#define INJECT_LIBC_MAX (256 << 20)

struct inject_opts {
	char **glibc_libs;     /* host files of the glibc set (may be NULL) */
	bool partial;          /* inject glibc_libs even when not a whole set */
	char **libs;           /* other host libraries (may be NULL) */
	const char *lib_dir;   /* where libs go in the container: absolute, no ".." */
	bool update_cache;     /* drop-in naming lib_dir, then ldconfig -r <root> */
	const char *ldconfig;  /* the trusted ldconfig */
};

/* 0: injected, or nothing to do (said why); -1 + err: refused or failed,
 * nothing left mounted. */
int inject_run(const struct inject_opts *o, const struct hook_state *st, struct gm_err **err);

#endif
