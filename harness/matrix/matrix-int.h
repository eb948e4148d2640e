/* Internal to matrix/: the state of one matrix_execute, shared by the
 * host cells (matrix.c) and the container groups (groups.c). */
#ifndef GM_MATRIX_INT_H
#define GM_MATRIX_INT_H

#include <pthread.h>

#include "base/progress.h"
#include "base/strmap.h"
#include "exec/proc.h"
#include "matrix/matrix.h"

struct exec_job {
	const struct gm_ctx *ctx;
	struct matrix *m;
	const struct matrix_opts *o;
	pthread_mutex_t lock;
	struct progress progress;   /* under lock */
	struct gm_err *err;
	double start;
	/* Container cells, predicted and prepared, waiting for their group
	 * (NULL for the others). */
	struct method_cmd **cmds;
	/* The loader's traces so far (matrix.c: trace_run), under lock: a
	 * key of the command without the subject's arguments -> its index in
	 * traces (ld, libc; NULL fields when the trace showed nothing). */
	struct strmap trace_keys;
	char **trace_ld, **trace_libc;
	size_t n_traces;
};

/* Classifies what cell c's command did (res) and records it; trace (may be
 * NULL) is what the loader's trace mode showed for a user's program; note
 * (may be NULL) is appended to the detail. */
void cell_observe(struct cell *c, const struct method_cmd *cmd, const struct proc_result *res,
		  const struct run_trace *trace, const char *note);
/* One more cell done, on the progress line. */
void matrix_tick(struct exec_job *j);
/* Runs the prepared container cells, one container start per group of
 * cells sharing a root filesystem, mounts, hook and environment, groups in
 * parallel (o->jobs); errors go to j->err. */
void groups_run(struct exec_job *j);

#endif
