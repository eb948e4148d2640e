/* The outcome vocabulary: the class of a cell, predicted or observed
 * (README, "Outcome classes"), its long and short names, the legend the
 * grids print, and which outcomes a probe may declare as its own behaviour.
 * Every other module names outcomes through this one. */
#ifndef GM_OUTCOME_H
#define GM_OUTCOME_H

#include <stdbool.h>

enum gm_outcome {
	GM_OK,
	GM_SYMBOL_VERSION,   /* a required GLIBC_x.y node is not defined */
	GM_MISSING_LIBRARY,  /* a needed library is not found */
	GM_MIXED_GLIBC,      /* symbol missing at a node that exists, GLIBC_PRIVATE, two glibcs */
	GM_MISSING_SYMBOL,   /* a symbol of a library outside glibc is not defined */
	GM_CRASH,            /* killed by a signal */
	GM_EXEC_FAILED,      /* missing interpreter, wrong architecture */
	GM_TIMEOUT,
	GM_WRONG_LIBC,       /* ran, but on another libc than intended, or a probe
	                        exited 0 without its report (something else ran) */
	GM_FAILED,           /* any other non-zero exit */
	GM_SKIPPED,
	GM_OUTCOME_COUNT,
};

/* "symbol-version"; "?" for a value out of range. */
const char *gm_outcome_name(enum gm_outcome o);
/* Two letters for grids: "sv". */
const char *gm_outcome_short(enum gm_outcome o);
/* -1 if name is not an outcome class. */
int gm_outcome_parse(const char *name);
/* The legend of the short names, one line per ~90 columns, with indent. */
const char *gm_outcome_legend(void);
/* Outcomes a probe may declare as what it does once loaded (cases.ini
 * "behaviour ="): crash, timeout, failed. */
bool gm_outcome_is_behaviour(enum gm_outcome o);

#endif
