/* Methods: the ways people run a binary against a glibc other than the one
 * it was built on.  One word everywhere: the code, the command line,
 * results.json and the help texts.
 *
 * A method is one descriptor in one file (methods/<name>.c) plus one line in
 * methods/table.c: its name, a one-line summary and longer help (the help
 * texts of run, check and exec are generated from them), its capabilities,
 * and two operations:
 *   prepare  the argv and environment that run the binary this way (after
 *            making a patched copy, if the method needs one);
 *   predict  the outcome the ELF data implies for the process this method
 *            assembles (verdict/predict.h).
 * Outside methods/ a command asks for a method by capability (method_first,
 * method_names, METHOD_CHECK_DEFAULT), or by the name the user gave; only
 * explain --against-all names its two (cli/explain-all.c). */
#ifndef GM_METHOD_H
#define GM_METHOD_H

#include <stdbool.h>

#include "base/err.h"
#include "container/oci.h"
#include "store/rootfs.h"
#include "store/sysroot.h"
#include "verdict/classify.h"
#include "verdict/predict.h"

struct method_ctx {
	const struct gm_config *cfg; /* the configuration (our hook's path) */
	const char *binary;         /* what to run (absolute) */
	char *const *companions;    /* files that travel with a patched copy (plugin.so) */
	char *const *runtime;       /* "library:symbol" glibc loads at run time */
	const struct sysroot *run;  /* the glibc to run against (the host for host-only methods) */
	char *const *extra_libdirs; /* searched after the run sysroot's (host libraries a
				     * user's binary needs beyond glibc) */
	const char *workdir;        /* scratch for copies (created when needed) */
	char *const *args;          /* program arguments */
	char *const *dlopened;      /* objects the program loads at run time, for predict */
	bool lazy;                  /* false: LD_BIND_NOW=1, every symbol bound at start */
	/* A user's binary (not a probe, whose RUNPATH names its build
	 * sysroot): its own RUNPATH or RPATH, $ORIGIN expanded, follows the
	 * run sysroot's directories and precedes extra_libdirs wherever a
	 * method sets the search path, so bundled libraries win over the
	 * host's and a patched copy keeps them. */
	bool own_search;
	/* The emulator every program of this cell runs under (qemu-user for a
	 * sysroot of another architecture, METHOD_EMULATOR methods), or NULL. */
	const char *emulator;
	/* Container methods (METHOD_CONTAINER) only; NULL for the others. */
	const struct method_tree *tree;
	/* An image's own program (METHOD_IMAGE_CHECK): its path inside the
	 * tree, run as it is (nothing staged, no copy patched); binary is its
	 * file in the tree, for the prediction.  NULL otherwise. */
	const char *image_program;
	/* The run sysroot's libraries only: a method that runs the sysroot's
	 * loader predicts with the sysroot's directories where the host's
	 * were and sets method_cmd.cover_host_libs, so the run sees them
	 * there too (the host's covered: matrix, cell_plan.cover). */
	bool target_libs;
};

/* What only a container method reads: the tree it runs in and how. */
struct method_tree {
	const struct rootfs *rootfs;/* the root filesystem the binary runs in */
	const char *container_dir;  /* where workdir appears inside the container */
	const struct method_hook *hook; /* inject methods: somebody else's hook, or NULL (ours) */
	const char *run_library;    /* METHOD_PROBE_LIBRARY: the probe's library built
				     * against run */
};

/* An OCI hook binary to run in place of glibc-inject (run --hook), or
 * (path NULL) ours with more to do. */
struct method_hook {
	/* Libraries our hook injects beside the glibc and registers in the
	 * tree's ld.so.cache (--inject-lib: the MPI case of Sarus's
	 * document, a host library built on the newer glibc); NULL: none. */
	char *const *inject_libs;
	const char *path;
	char *const *args;          /* after argv[0] */
	char *const *env;           /* K=V, besides GLIBC_LIBS and LDCONFIG_PATH */
};

struct method_cmd {
	char **argv;                /* container methods: paths inside the container */
	char **env;                 /* proc_spec.env delta; container methods: K=V only */
	bool cover_host_libs;        /* run with cell_plan.cover covered (target_libs) */
	struct run_expect expect;   /* what a probe must report */
	/* Container methods: host paths bound read-only (mount_src[i] at
	 * mount_dst[i]) and one createRuntime hook (hook_argv NULL: none).
	 * Cells whose mounts, hook and environment agree share one start. */
	char **mount_src, **mount_dst;
	char **hook_argv, **hook_env;
	/* Container methods: host files the program finds at container paths
	 * (stage_src[i] at stage_dst[i], below the tree's container_dir) while
	 * it runs; the batch puts them there (matrix/groups.c), no file per
	 * cell on the host. */
	char **stage_src, **stage_dst;
	char **expect_dirs;         /* owned storage expect.libdirs may point to */
	char *expect_ld, *expect_libc; /* owned storage of expect.ld_host, libc_host */
	/* prepare returned METHOD_REFUSED: why this method cannot run the file
	 * (the patcher refuses it, nothing to inject); nothing else is set. */
	char *refusal;
};

/* prepare's answer when the method cannot run this file: an observation
 * about the method (the cell is exec-failed, "prepare: <refusal>"), not a
 * failure of the harness. */
#define METHOD_REFUSED 1

/* Capabilities: what a method needs and where it applies. */
enum {
	METHOD_HOST_ONLY = 1 << 0,     /* the run axis is the host's glibc only */
	METHOD_PATCHED_COPY = 1 << 1,  /* runs a patched copy of the binary */
	METHOD_CONTAINER = 1 << 2,     /* runs inside a container root filesystem */
	METHOD_EMULATOR = 1 << 3,      /* runs foreign architectures under an emulator */
	METHOD_CHECK_DEFAULT = 1 << 4, /* `check` uses it unless --method says otherwise */
	METHOD_EXEC = 1 << 5,          /* `exec --method` offers it (a deliberate, working way) */
	METHOD_ROOTFS_ONLY = 1 << 6,   /* the run axis is the root filesystem's own glibc */
	METHOD_PROBE_LIBRARY = 1 << 7, /* injects a probe's library (cases.ini "library") */
	/* A container method that runs a foreign tree's programs through the
	 * kernel's binfmt_misc (container/binfmt.h).  ldcache lacks it: the
	 * host's trusted ldconfig refuses other machines' libraries ("unknown
	 * machine 183"), so it cannot write a foreign tree's cache; toolbox
	 * lacks it: it maps this machine's loader. */
	METHOD_BINFMT = 1 << 8,
	METHOD_HOOK = 1 << 9,          /* runs an OCI hook, ours or --hook's (inject methods) */
	/* Changes the image, or runs beside it: the image's own programs
	 * (container/ownprogs.h) run after it in the same container, each a
	 * cell, to show the image still works (inject, inject-libc-only,
	 * toolbox). */
	METHOD_IMAGE_CHECK = 1 << 10,
};

struct method {
	const char *name;
	const char *summary;        /* one line, for help texts and listings */
	unsigned caps;
	/* 0: ret is the command; METHOD_REFUSED: ret->refusal says why not;
	 * -1 + err: the harness failed. */
	int (*prepare)(const struct method_ctx *rc, struct method_cmd *ret, struct gm_err **err);
	int (*predict)(const struct method_ctx *rc, struct gm_prediction *ret, struct gm_err **err);
};

static inline bool method_runs_on_host(const struct method *r)
{
	return r->caps & METHOD_HOST_ONLY;
}

static inline bool method_in_container(const struct method *r)
{
	return r->caps & METHOD_CONTAINER;
}

/* The table (methods/table.c), in report order, NULL-terminated. */
const struct method *const *method_all(void);
const struct method *method_find(const char *name);
/* The first method of the table having every capability in caps: where a
 * command needs "the method that does X", it asks by capability. */
const struct method *method_first(unsigned caps);
/* "host, loader, interp, rpath, env": names of the methods having every
 * capability in caps (0: all). */
char *method_names(unsigned caps);
/* One "  name    summary" line per method having every capability in caps. */
char *method_help(unsigned caps);
/* Does a binary of arch run here only under an emulator? */
bool method_emulated(const char *arch);
/* Does the method apply to a binary of build_arch run against run_arch? */
bool method_applies(const struct method *r, const char *build_arch, const char *run_arch);

void method_cmd_release(struct method_cmd *c);

/* Does this loader accept --argv0 (glibc >= 2.33)?  Asked once per loader. */
bool loader_has_argv0(const char *loader, const char *emulator);

/* Puts emulator (when not NULL) in front of a prepared command: the
 * program, a patched copy or a loader of another architecture runs under
 * it.  Methods prepare the same command either way. */
void method_emulate(struct method_cmd *c, const char *emulator);

#endif
