/* Several programs in one container start (the container part of a
 * matrix costs one start per group, not one per cell).  Our static helper
 * gm-batch (containers/gm-batch.c) is the container's init: it runs the
 * programs one after another, each in its own process group with its own
 * timeout, and frames each one's exit status, signal and output, so a
 * crash or a hang of one cannot hide the results of the others. */
#ifndef GM_BATCH_H
#define GM_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "container/oci.h"

struct batch_prog {
	char **argv;        /* inside the container; argv[0] an absolute path */
	double timeout_s;   /* > 0 */
	/* Files put in place for it alone, inside the container: stage_src[i]
	 * (below /gm-work) copied to stage_dst[i] (below /gm) before it starts,
	 * removed after it; NULL: none.  Only with batch_spec.stage_dir. */
	char *const *stage_src, *const *stage_dst;
	/* Results, filled by batch_run: */
	bool ran;           /* a record came back for it */
	int exit_code;      /* -1 if signalled */
	int signal;
	bool timed_out;     /* killed (SIGKILL, with its group) at its timeout */
	int exec_errno;     /* != 0: it could not be executed (exit_code 127) */
	/* Captures, at most 64 KiB each, exactly as printed: NULs included
	 * (read them by *_len), with a NUL after the last byte. */
	char *out, *err;
	size_t out_len, err_len;
};

struct batch_spec {
	const char *rootfs;     /* read-only / */
	const char *probe_dir;  /* NULL or a host directory, read-only at /gm */
	/* NULL, or (without probe_dir) a host directory read-only at /gm-work
	 * whence the programs' files are staged: /gm is then the container's
	 * own tmpfs. */
	const char *stage_dir;
	const struct oci_mount *mounts; /* more read-only binds */
	size_t n_mounts;
	const struct oci_hook *hooks;   /* createRuntime hooks */
	size_t n_hooks;
	char *const *env;       /* K=V every program gets */
	struct batch_prog *progs;
	size_t n;
	/* Result: the runtime could not start the container (a hook failed,
	 * a mount was refused) before our helper ran. */
	bool start_failed;
};

/* Runs every program in one container.  0 when the container ran (a
 * program without a record has ran == false: the container died first),
 * -1 + err for a plan it cannot express (a tab or newline in an argument:
 * GM_EXIT_USAGE), no runtime (GM_EXIT_SKIP), a runtime failure before the
 * helper started (GM_EXIT_INFRA, with the runtime's message) or an
 * interrupt (GM_EXIT_INTERRUPTED). */
int batch_run(const struct gm_config *cfg, struct batch_spec *spec, struct gm_err **err);
void batch_prog_release(struct batch_prog *p);

/* Fills the results of spec->progs from gm-batch's stdout out[0..len):
 * framed records "gm-batch: I exit C signal S timeout T execerr E out N
 * err M\n" each followed by N + M bytes of output, which may hold any
 * byte.  A record that does not fit in len, or names no program, ends
 * the parse (a truncated or foreign stream). */
void batch_parse(const struct batch_spec *spec, const char *out, size_t len);

/* "exit 0", "killed by SIGSEGV", "timed out after 2 s", "exec failed: ..." */
char *batch_describe(const struct batch_prog *p);

#endif
