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
	char *ran_glibc;   /* glibc= from the probe's output, or NULL */
	char *ran_libc;    /* libc= from the probe's output, or NULL */
};

void classify(const struct proc_result *res, const struct run_expect *expect,
	      struct classified *ret);
void classified_release(struct classified *c);

/* The value of key= in key=value lines, or NULL (caller frees). */
char *kv_get(const char *text, const char *key);

#endif
