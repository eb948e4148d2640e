#include "base/progress.h"
#include "base/util.h"

#include <stdio.h>

void progress_init(struct progress *p, bool tty, bool quiet, const char *label)
{
	p->tty = tty && !quiet;
	p->quiet = quiet;
	p->label = label;
	p->phase = "";
	p->unit = NULL;
	p->count = p->expected = 0;
	p->start = now_seconds();
	p->last_draw = 0;
}

static void draw(struct progress *p)
{
	long el = (long)(now_seconds() - p->start);
	fprintf(stderr, "\r\033[K[%s] %s", p->label, p->phase);
	if (p->unit && p->expected > 0)
		fprintf(stderr, ": %ld%% (%ld %s)", p->count * 100 / p->expected > 99 ? 99 :
			p->count * 100 / p->expected, p->count, p->unit);
	else if (p->unit)
		fprintf(stderr, ": %ld %s", p->count, p->unit);
	fprintf(stderr, ", %ld:%02ld", el / 60, el % 60);
	fflush(stderr);
	p->last_draw = now_seconds();
}

void progress_phase(struct progress *p, const char *phase, const char *unit)
{
	if (p->phase != phase)
		p->count = 0;
	p->phase = phase;
	p->unit = unit;
	if (p->tty)
		draw(p);
	else if (!p->quiet)
		fprintf(stderr, "glibc-matrix: %s: %s (%ld s)\n", p->label, phase,
			(long)(now_seconds() - p->start));
}

void progress_tick(struct progress *p)
{
	p->count++;
	if (p->tty && now_seconds() - p->last_draw >= 0.2)
		draw(p);
}

void progress_done(struct progress *p)
{
	if (p->tty)
		fprintf(stderr, "\r\033[K");
}
