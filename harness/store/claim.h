/* A harness process's claim on the store: runs/<pid>.<random>, a file the
 * process holds flock()ed while it lives (close-on-exec; the kernel drops
 * the flock however the process ends) and that notes what it owns (the
 * work directory of its run).  Liveness is the flock, never the pid alone:
 * a harness in another pid namespace sees our pid as dead, or as another
 * process, and must still leave our work and our containers alone. */
#ifndef GM_CLAIM_H
#define GM_CLAIM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "base/err.h"

/* Takes this process's claim (on the first call) and sets its note (NULL:
 * leaves it as it is).  Thread-safe. */
int store_claim(const struct gm_config *cfg, const char *note, struct gm_err **err);
/* Removes this process's claim (unlinked while held); nothing if none. */
void store_claim_release(void);

/* For each claim whose process is gone (its flock free): gone(note, arg)
 * while this process holds that flock, then the claim is removed.  Legacy
 * entries (runs/<pid>, no lock) are not claims and are left to the caller.
 * Returns how many claims were removed. */
size_t store_claims_sweep(const struct gm_config *cfg, void (*gone)(const char *note, void *arg),
			  void *arg);

/* Whether a live process holds a claim with pid in its name: a harness
 * numbered pid, here or in another pid namespace, may own what bears that
 * number (a bundle "gm-<pid>-<n>"). */
bool store_pid_claimed(const struct gm_config *cfg, long pid);

#endif
