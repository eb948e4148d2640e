/* What an OCI runtime tells a hook: the container's state on standard
 * input (runtime spec, "State": ociVersion, id, status, pid, bundle) and,
 * through the bundle, its config.json, of which the hook needs root.path.
 *
 * Both are the runtime's data, but a hook run by hand gets whatever is
 * piped in: every field is checked, and an error names the file (or
 * "the state on standard input") and what is wrong with it. */
#ifndef GM_HOOK_STATE_H
#define GM_HOOK_STATE_H

#include <sys/types.h>

#include "base/err.h"

struct hook_state {
	char *id;      /* the container's id; "" when the state has none */
	pid_t pid;     /* the container's process: its namespaces are joined */
	char *bundle;  /* absolute */
	char *rootfs;  /* root.path of <bundle>/config.json, made absolute */
};

/* Reads the state from fd (at most 1 MiB) and the bundle's config.json.
 * 0, or -1 + err (GM_EXIT_FINDINGS: the input is wrong). */
int hook_state_read(int fd, struct hook_state *ret, struct gm_err **err);
/* The same from a string (tests); config.json is still read from disk. */
int hook_state_parse(const char *json, size_t len, struct hook_state *ret, struct gm_err **err);
void hook_state_release(struct hook_state *st);

#endif
