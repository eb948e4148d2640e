/* The matrix: cells planned from (subject, build sysroot, run sysroot,
 * method, and for container methods the root filesystem), executed by a
 * bounded job pool (container cells that share a root filesystem, mounts
 * and hook run as one batch, one container start per group), each predicted from the ELF data
 * and observed by running it, then written to results.json (atomically) and
 * summarised.  A cell whose observed class differs from its predicted class
 * is a mismatch. */
#ifndef GM_MATRIX_H
#define GM_MATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "acquire/package.h"
#include "base/ui.h"
#include "base/err.h"
#include "methods/method.h"
#include "verdict/predict.h"
#include "verdict/verdict.h"
#include "store/sysroot.h"

/* What the plan decided (plan/plan.h): what runs, or why it cannot. */
struct cell_plan {
	char *subject;              /* case name or binary path */
	char *binary;               /* what runs */
	char **companions;          /* plugin.so beside it */
	char *loads;                /* a user's shared object that binary (cases/tools/
				     * load-object) dlopens: predicted as part of the process */
	const struct sysroot *build;/* NULL for a user's binary */
	const struct sysroot *run;
	const struct method *method;
	const struct rootfs *rootfs;/* container methods: the root filesystem */
	char **args;
	char **runtime;             /* "library:symbol" glibc loads at run time */
	char **extra_libdirs;       /* host directories of libraries beyond glibc */
	/* The run sysroot's own libraries only (a Debian suite's, issue 23):
	 * these host directories show the run sysroot's library directories
	 * while a method that runs the sysroot's loader runs it
	 * (method_cmd.cover_host_libs); NULL: none. */
	char **cover;
	char **cover_with;          /* the run sysroot's every library directory */
	char *run_library;          /* ldcache: the case's library built against run */
	char *emulator;             /* qemu-user for another architecture, or NULL */
	bool probe;                 /* prints glibc=/libc=: wrong-libc is checked */
	bool static_binary;         /* carries its own glibc: the build's */
	int behaviour;              /* the program's own outcome once it loads (GM_OK) */
	int expect_exit;            /* a user's binary: the exit status that means success */
	char *skip_reason;          /* set: not run */
	/* An image's own program (container/ownprogs.h): its path inside the
	 * tree (binary is its file there); NULL otherwise. */
	char *image_program;
	bool by_prediction;         /* judged by its prediction (verdict.h) */
	/* The command-line words of the options that shaped this cell beyond
	 * its subject, sysroots, method and tree ("--args", "a b", ...): what
	 * its reproduce command carries (the document's "options"). */
	char **options;
};

/* What the ELF data implies (the method's predict, verdict_predicted). */
struct cell_prediction {
	enum gm_outcome outcome;
	char *detail;
	char **host_libs;           /* libraries outside glibc, found as the host would */
	char **libraries;           /* user binaries only: "FROM PATH" of every object the
				     * loader maps (gm_prediction.libraries); NULL for probes,
				     * whose thousands of cells would repeat glibc's set */
	/* What the prediction found wrong: missing symbols and the objects
	 * needing them (moved from the gm_prediction). */
	struct gm_problem *problems;
	size_t n_problems;
};

/* What running it showed (the classifier, verdict_observed). */
struct cell_observation {
	enum gm_outcome outcome;
	char *detail;
	int exit_code, signal;
	double duration_s;
	/* Valid UTF-8 (utf8_excerpt), NULs kept: use the lengths. */
	char *stdout_excerpt, *stderr_excerpt;
	size_t stdout_len, stderr_len;
	char *ran_glibc, *ran_libc;
	/* Container cells of a method that checks the image: how many of the
	 * image's own programs ran in the same container, and ran ok
	 * (image_programs 0: none did, or not such a method). */
	size_t image_programs, image_intact;
};

/* A cell: planned, predicted, observed, judged.  The verdict is decided
 * once, by verdict_decide (verdict/verdict.h), when the run ends; the
 * document writes it and readers read it back, never working it out
 * again. */
struct cell {
	struct cell_plan plan;
	struct cell_prediction pred;
	struct cell_observation obs;
	bool done;                  /* settled: ran, refused, or skipped */
	struct gm_verdict verdict;
};

struct matrix_opts {
	int jobs;            /* <= 0: CPUs */
	double timeout_s;    /* per cell */
	const char *outdir;  /* results.json goes here; scratch in outdir/work */
	bool lazy;           /* do not set LD_BIND_NOW */
	bool keep_work;      /* keep patched copies */
	const struct method_hook *hook; /* inject methods: a hook in place of ours */
};

struct matrix {
	struct cell *cells;
	size_t n;
	char *const *command_line;  /* borrowed: gm_ctx.argv */
	char *started, *finished;
	bool complete;       /* false when interrupted */
	double wall_s;
	/* How cells were bounded (exec/contain.h): "cgroup-v1", "cgroup-v2" or
	 * "rlimit-only"; the reason when not a cgroup; the per-cell limits. */
	const char *containment;
	char *containment_note;
	long cell_pids_max, cell_memory_bytes;
	/* The packages a user gave (check PKG), borrowed: each of their ELF
	 * files is a subject named "PKG:path" (path inside the package). */
	const struct package *packages;
	size_t n_packages;
};

/* Adds a cell; strings are copied. */
struct cell *matrix_add(struct matrix *m, const char *subject, const char *binary,
			const struct sysroot *build, const struct sysroot *run,
			const struct method *method);

/* Where a run's results go.  requested (--out): must not be empty nor an
 * existing non-directory (usage errors, exit 2); it is created and locked
 * for the life of the process, so a second run given the same --out is a
 * usage error instead of sharing work/ and results.json.  NULL: a fresh directory
 * reports/<prefix><UTC time>, created exclusively (-2, -3, ... appended when
 * another run took that second), so two runs never share results.json or
 * work/.  *ret is absolute: patched copies run from below it. */
int matrix_outdir(const char *requested, const char *prefix, char **ret, struct gm_err **err);

int matrix_execute(const struct gm_ctx *ctx, struct matrix *m, const struct matrix_opts *o,
		   struct gm_err **err);

void matrix_release(struct matrix *m);

#endif
