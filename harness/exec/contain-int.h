/* Internal to exec/: what contain.c (the cgroups) and sweep.c (live
 * cells, orphans) share. */
#ifndef GM_CONTAIN_INT_H
#define GM_CONTAIN_INT_H

#include <stdbool.h>
#include <stddef.h>

/* State letter and start time (clock ticks after boot) of
 * /proc/<pid>/stat; false when there is no such process. */
bool contain_stat_fields(long pid, char *state, unsigned long long *start);

/* Kills (all) or only reaps (zombies) our children that are not live
 * cells; how many. */
size_t contain_sweep(bool all);

#endif
