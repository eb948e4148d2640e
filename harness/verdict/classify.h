/* Classifies how a run ended into an outcome class (predict.h), with the
 * detail a release engineer needs: the missing GLIBC_x.y, the missing
 * library, the unresolved GLIBC_PRIVATE symbol, the signal, the loader's own
 * words.  Works on the loader messages of every glibc from 2.31 on (they
 * have not changed shape; tests/unit/test-classify.c holds captured ones). */
#ifndef GM_CLASSIFY_H
#define GM_CLASSIFY_H

#include "verdict/predict.h"
#include "exec/proc.h"

struct run_expect {
	const char *glibc_version;  /* the version the probe must report, or NULL */
	char *const *libdirs;       /* libc must be mapped from one of these, or NULL */
	/* Container cells: the host files behind the loader and libc.so.6 the
	 * process maps.  The probe reports container paths, which name other
	 * files (or none) on the host, so a mixed process is judged on these.
	 * NULL: the reported paths are the host's. */
	const char *ld_host, *libc_host;
};

struct classified {
	enum gm_outcome outcome;
	char *detail;
	char *ran_glibc;   /* glibc= from the probe's output, or the traced libc's version */
	char *ran_libc;    /* libc= from the probe's output, or the traced libc.so.6 */
};

/* What the real loader maps for a user's program: the cell's command run
 * again in the loader's trace mode (LD_TRACE_LOADED_OBJECTS=1), which lists
 * the objects and exits before the program runs. */
struct run_trace {
	char *ld;    /* the loader's file, or NULL: the path after "=>" for an
	              * explicit loader, else the PT_INTERP the kernel ran */
	char *libc;  /* the libc.so.6 mapped, or NULL */
};
/* Reads a trace's lines out[0..len); what it does not show stays NULL. */
void run_trace_parse(const char *out, size_t len, struct run_trace *t);
void run_trace_release(struct run_trace *t);

/* Judges a run.  expect != NULL: the subject is one of our probes, which
 * report the glibc, libc and loader they run on in their first lines
 * (glibc=, libc=, ld=), and these are checked against expect.  expect ==
 * NULL: a user's program, whose stdout is its own (it may print "libc=..."
 * for its own reasons): judged from its exit status, the loader's messages
 * and trace (NULL: none) only.  A loader and a libc.so.6 of two builds in
 * one process, as reported or traced, is GM_MIXED_GLIBC whatever the
 * process did next (a signal, a timeout, exit 0). */
void classify_traced(const struct proc_result *res, const struct run_expect *expect,
		     const struct run_trace *trace, struct classified *ret);
/* classify_traced without a trace. */
void classify(const struct proc_result *res, const struct run_expect *expect,
	      struct classified *ret);
void classified_release(struct classified *c);

/* The value of key= in key=value lines, or NULL (caller frees). */
char *kv_get(const char *text, const char *key);

#endif
