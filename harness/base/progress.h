/* The live one-line progress indicator: on a terminal, one line redrawn in
 * place ("[glibc-2.42] make: 1234 files compiled, 2:13"); elsewhere one note
 * per phase; nothing with --quiet. */
#ifndef GM_PROGRESS_H
#define GM_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool tty, quiet;
	const char *label;
	const char *phase;
	const char *unit;   /* "files compiled" */
	long count;
	long expected;      /* > 0: a percentage is shown */
	double start, last_draw;
};

void progress_init(struct progress *p, bool tty, bool quiet, const char *label);
void progress_phase(struct progress *p, const char *phase, const char *unit);
void progress_tick(struct progress *p);   /* count++ and redraw at most 5 times a second */
void progress_done(struct progress *p);   /* clears the line */

#endif
