/* Routes: the ways people run a binary against a glibc other than the one
 * it was built on (the CLI and results.json call them "methods").
 *
 * A route is one descriptor in one file (routes/<name>.c) plus one line in
 * routes/table.c: its name, a one-line summary and longer help (the help
 * texts of run, check and exec are generated from them), its capabilities,
 * and two operations:
 *   prepare  the argv and environment that run the binary this way (after
 *            making a patched copy, if the route needs one);
 *   predict  the outcome the ELF data implies for the process this route
 *            assembles (verdict/predict.h).
 * Outside routes/ a command asks for a route by capability (route_first,
 * route_names, ROUTE_CHECK_DEFAULT), or by the name the user gave; only
 * explain --against-all names its two (cli/explain-all.c). */
#ifndef GM_ROUTE_H
#define GM_ROUTE_H

#include <stdbool.h>

#include "base/err.h"
#include "container/oci.h"
#include "store/rootfs.h"
#include "store/sysroot.h"
#include "verdict/classify.h"
#include "verdict/predict.h"

struct route_ctx {
	const struct gm_config *cfg; /* the configuration (our hook's path) */
	const char *binary;         /* what to run (absolute) */
	char *const *companions;    /* files that travel with a patched copy (plugin.so) */
	char *const *runtime;       /* "library:symbol" glibc loads at run time */
	const struct sysroot *run;  /* the glibc to run against (the host for host-only routes) */
	char *const *extra_libdirs; /* searched after the run sysroot's (host libraries a
				     * user's binary needs beyond glibc) */
	const char *workdir;        /* scratch for copies (created when needed) */
	char *const *args;          /* program arguments */
	char *const *dlopened;      /* objects the program loads at run time, for predict */
	bool lazy;                  /* false: LD_BIND_NOW=1, every symbol bound at start */
	/* A user's binary (not a probe, whose RUNPATH names its build
	 * sysroot): its own RUNPATH or RPATH, $ORIGIN expanded, follows the
	 * run sysroot's directories and precedes extra_libdirs wherever a
	 * route sets the search path, so bundled libraries win over the
	 * host's and a patched copy keeps them. */
	bool own_search;
	/* The emulator every program of this cell runs under (qemu-user for a
	 * sysroot of another architecture, ROUTE_EMULATOR routes), or NULL. */
	const char *emulator;
	/* Container routes (ROUTE_CONTAINER) only; NULL for the others. */
	const struct route_tree *tree;
};

/* What only a container route reads: the tree it runs in and how. */
struct route_tree {
	const struct rootfs *rootfs;/* the root filesystem the binary runs in */
	const char *container_dir;  /* where workdir appears inside the container */
	const struct route_hook *hook; /* inject routes: somebody else's hook, or NULL (ours) */
	const char *run_library;    /* ROUTE_PROBE_LIBRARY: the probe's library built
				     * against run */
};

/* An OCI hook binary to run in place of glibc-inject (run --hook). */
struct route_hook {
	const char *path;
	char *const *args;          /* after argv[0] */
	char *const *env;           /* K=V, besides GLIBC_LIBS and LDCONFIG_PATH */
};

struct route_cmd {
	char **argv;                /* container routes: paths inside the container */
	char **env;                 /* proc_spec.env delta; container routes: K=V only */
	struct run_expect expect;   /* what a probe must report */
	/* Container routes: host paths bound read-only (mount_src[i] at
	 * mount_dst[i]) and one createRuntime hook (hook_argv NULL: none).
	 * Cells whose mounts, hook and environment agree share one start. */
	char **mount_src, **mount_dst;
	char **hook_argv, **hook_env;
	/* Container routes: host files the program finds at container paths
	 * (stage_src[i] at stage_dst[i], below the tree's container_dir) while
	 * it runs; the batch puts them there (matrix/groups.c), no file per
	 * cell on the host. */
	char **stage_src, **stage_dst;
	char **expect_dirs;         /* owned storage expect.libdirs may point to */
	char *expect_ld, *expect_libc; /* owned storage of expect.ld_host, libc_host */
	/* prepare returned ROUTE_REFUSED: why this route cannot run the file
	 * (the patcher refuses it, nothing to inject); nothing else is set. */
	char *refusal;
};

/* prepare's answer when the route cannot run this file: an observation
 * about the route (the cell is exec-failed, "prepare: <refusal>"), not a
 * failure of the harness. */
#define ROUTE_REFUSED 1

/* Capabilities: what a route needs and where it applies. */
enum {
	ROUTE_HOST_ONLY = 1 << 0,     /* the run axis is the host's glibc only */
	ROUTE_PATCHED_COPY = 1 << 1,  /* runs a patched copy of the binary */
	ROUTE_CONTAINER = 1 << 2,     /* runs inside a container root filesystem */
	ROUTE_EMULATOR = 1 << 3,      /* runs foreign architectures under an emulator */
	ROUTE_CHECK_DEFAULT = 1 << 4, /* `check` uses it unless --method says otherwise */
	ROUTE_EXEC = 1 << 5,          /* `exec --route` offers it (a deliberate, working way) */
	ROUTE_ROOTFS_ONLY = 1 << 6,   /* the run axis is the root filesystem's own glibc */
	ROUTE_PROBE_LIBRARY = 1 << 7, /* injects a probe's library (cases.ini "library") */
	/* A container route that runs a foreign tree's programs through the
	 * kernel's binfmt_misc (container/binfmt.h).  ldcache lacks it: the
	 * host's trusted ldconfig refuses other machines' libraries ("unknown
	 * machine 183"), so it cannot write a foreign tree's cache; toolbox
	 * lacks it: it maps this machine's loader. */
	ROUTE_BINFMT = 1 << 8,
};

struct route {
	const char *name;
	const char *summary;        /* one line, for help texts and listings */
	unsigned caps;
	/* 0: ret is the command; ROUTE_REFUSED: ret->refusal says why not;
	 * -1 + err: the harness failed. */
	int (*prepare)(const struct route_ctx *rc, struct route_cmd *ret, struct gm_err **err);
	int (*predict)(const struct route_ctx *rc, struct gm_prediction *ret, struct gm_err **err);
};

static inline bool route_runs_on_host(const struct route *r)
{
	return r->caps & ROUTE_HOST_ONLY;
}

static inline bool route_in_container(const struct route *r)
{
	return r->caps & ROUTE_CONTAINER;
}

/* The table (routes/table.c), in report order, NULL-terminated. */
const struct route *const *route_all(void);
const struct route *route_find(const char *name);
/* The first route of the table having every capability in caps: where a
 * command needs "the route that does X", it asks by capability. */
const struct route *route_first(unsigned caps);
/* "host, loader, interp, rpath, env": names of the routes having every
 * capability in caps (0: all). */
char *route_names(unsigned caps);
/* One "  name    summary" line per route having every capability in caps. */
char *route_help(unsigned caps);
/* Does a binary of arch run here only under an emulator? */
bool route_emulated(const char *arch);
/* Does the route apply to a binary of build_arch run against run_arch? */
bool route_applies(const struct route *r, const char *build_arch, const char *run_arch);

void route_cmd_release(struct route_cmd *c);

/* Does this loader accept --argv0 (glibc >= 2.33)?  Asked once per loader. */
bool loader_has_argv0(const char *loader, const char *emulator);

/* Puts emulator (when not NULL) in front of a prepared command: the
 * program, a patched copy or a loader of another architecture runs under
 * it.  Routes prepare the same command either way. */
void route_emulate(struct route_cmd *c, const char *emulator);

#endif
