/* The user-interface context every layer may be handed: whether to stay
 * quiet and whether stderr is a terminal (live progress lines).  Notes are
 * the one way core code talks to the user; everything else it returns as
 * a struct gm_err or reports through its progress renderer (progress.h). */
#ifndef GM_UI_H
#define GM_UI_H

#include <stdbool.h>

struct gm_config;

struct gm_ctx {
	bool quiet;     /* no progress, no notes */
	bool tty;       /* stderr is a terminal: live progress line */
	/* The command line as typed (a copy: getopt permutes argv), for the
	 * results document; NULL in tests. */
	char *const *argv;
	/* The configuration main read from the environment (base/config.h),
	 * never changed after; NULL only in tests that need none. */
	const struct gm_config *cfg;
};

/* A note to the user on stderr ("glibc-matrix: ..."), silenced by --quiet. */
void gm_note(const struct gm_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
