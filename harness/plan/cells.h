/* The plan: the one place where the cells of a command are made.
 *
 * Subjects (probes built against a build sysroot, a user's files) cross
 * methods and targets (run sysroots, the host, root filesystems and their
 * own glibc); each crossing is either no cell at all (a pairing that means
 * nothing: an x86_64 probe against an aarch64 sysroot in a matrix of
 * every selected sysroot), a cell with the reason it cannot run here, or a
 * cell with what to run.  `run` and `check` parse their options and call
 * plan_cells; matrix_execute then runs what the plan made.
 *
 * Planning is pure: plan_cells reads no file and starts no process.  What
 * it must know about the machine (its architecture, the emulators it has,
 * whether the kernel runs foreign programs) comes in struct plan_machine,
 * asked once per architecture; reading a subject's ELF header is done
 * before, by plan_subject_probe and plan_subject_file. */
#ifndef GM_PLAN_CELLS_H
#define GM_PLAN_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arch.h"
#include "base/config.h"
#include "base/err.h"
#include "container/ownprogs.h"
#include "elf/elfinfo.h"
#include "matrix/matrix.h"
#include "probes/probes.h"
#include "methods/method.h"
#include "store/rootfs.h"
#include "store/sysroot.h"

/* What planning asks of the machine. */
struct plan_machine {
	const struct gm_config *cfg; /* handed to the questions below */
	const struct gm_arch *host;  /* NULL: a machine glibc-matrix does not know */
	/* The qemu-user that runs a's programs (a new string), or NULL. */
	char *(*emulator)(const struct gm_arch *a);
	/* 1 when the kernel runs a's programs (binfmt_misc); 0 with *why (new). */
	int (*binfmt_ready)(const struct gm_config *cfg, const struct gm_arch *a, char **why);
};

/* This machine, as arch_host, arch_emulator and binfmt_ready (with cfg)
 * see it. */
void plan_machine_here(const struct gm_config *cfg, struct plan_machine *m);

/* One thing to run: a probe, or a user's file. */
struct plan_subject {
	const char *name;            /* the case's name, or the file as the user named it */
	const char *binary;          /* absolute path (a probe's, built or not) */
	const struct gm_arch *arch;  /* its machine; NULL: one glibc-matrix does not know */
	const char *machine;         /* that machine's name, for messages */
	enum elf_file_kind kind;
	const struct probe *probe;   /* NULL: a user's file */
	/* A shared object made for one program (elf/addon.h): that program
	 * (argv, [0] absolute) loads it when the command names none, or,
	 * when this machine lacks it, no_program says so and which
	 * --host-program to give. */
	char *const *host_program;
	const char *no_program;
};

/* Reads what planning needs of a probe (not built: only its name and
 * build).  A probe's binary of the wrong kind is planned as it is. */
void plan_subject_probe(const struct probe *p, struct plan_subject *s);
/* A user's file: name as given, abs its real path, info its ELF data. */
void plan_subject_file(const char *name, const char *abs, const struct elf_info *info,
		       struct plan_subject *s);

/* The options that shape cells, as the command-line words that give them
 * (the command spells them); each cell takes those that apply to it, for
 * its reproduce command. */
struct plan_words {
	char **every;    /* every cell: --timeout, --lazy, --library-path, --expect-exit */
	char **program;  /* a program's cells (not a shared object's): --args */
	char **object;   /* a shared object's cells: --host-program */
	char **hook;     /* the cells of methods that run a hook (METHOD_HOOK) */
};

void plan_words_release(struct plan_words *w);

/* The targets and the settings every cell of a command shares. */
struct plan_input {
	const struct plan_subject *subjects;
	size_t n_subjects;
	const struct method *const *methods;
	size_t n_methods;
	const struct sysroot *runs;  /* the run axis of methods that swap the glibc */
	size_t n_runs;
	const struct sysroot *host;  /* the run axis of methods that run on the host */
	const struct rootfs *trees;  /* container methods: root filesystems */
	const struct sysroot *tree_glibc; /* each tree's own glibc (METHOD_ROOTFS_ONLY) */
	size_t n_trees;
	/* Per tree (NULL: none): its own programs, each a cell of its own for
	 * the methods that check the image (METHOD_IMAGE_CHECK), in the same
	 * container as the subjects' cells; judged by their prediction when
	 * image_by_prediction (the probe matrix, whose negative control
	 * breaks the image on purpose), else like a user's program. */
	const struct own_programs *tree_programs;
	bool image_by_prediction;
	/* Probes: each case built against each run sysroot, for the methods
	 * that inject a probe's library (METHOD_PROBE_LIBRARY); NULL if none. */
	const struct probe *run_probes;
	size_t n_run_probes;
	/* A user's files: */
	char *const *args;           /* a program's arguments */
	int expect_exit;             /* the status that means success */
	char *const *libdirs;        /* --library-path, then each file's host_libdirs */
	char *const *const *host_libdirs; /* per subject: the host directories of the
				      * libraries it needs beyond glibc (or NULL) */
	/* Per subject (NULL: none): the library directories of the package it
	 * is a file of (acquire/package.h), searched first, whatever the
	 * sysroot: the package ships them with it. */
	char *const *const *own_libdirs;
	/* Per run sysroot (NULL: none): true when a user's files run against
	 * it with its own libraries only (a suite's, cli/target-libs.h): no
	 * host_libdirs, and cover (the host's library directories) covered by
	 * the run sysroot's while its loader runs, unless the file lies in one
	 * of them or a --host-program, which is this machine's, loads it. */
	const bool *target_libs;
	char *const *cover;
	/* How a shared object is loaded: host_program (argv, [0] absolute)
	 * or, when NULL, load-object built against each run sysroot. */
	char *const *host_program;
	const struct probe *loaders;
	size_t n_loaders;
	const struct plan_words *words; /* NULL: none */
};

/* Adds the cells of in to m, in the order subjects, methods, trees, run
 * sysroots.  Each has skip_reason set when it cannot run here. */
void plan_cells(const struct plan_input *in, const struct plan_machine *mach, struct matrix *m);

#endif
