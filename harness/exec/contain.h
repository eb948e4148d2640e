/* Containment of the programs the harness runs: what bounds a cell when
 * process groups and rlimits do not (root ignores RLIMIT_NPROC; setsid()
 * leaves the group; nothing in rlimits bounds resident memory).
 *
 * Where the machine lets us, every cell runs in its own cgroup below a
 * per-run group named glibc-matrix-<our pid>-<our start time>, created beside our own
 * cgroup: cgroup v2 with the pids and memory controllers, or the cgroup v1
 * pids and memory hierarchies (plus freezer, to stop a fork bomb while it is
 * killed).  Each cell gets pids.max = cfg->cell_pids ($GLIBC_MATRIX_CELL_PIDS,
 * default 2048) and a memory limit of cfg->cell_memory
 * ($GLIBC_MATRIX_CELL_MEMORY MiB, default 1024), and when
 * it ends every process left in its group is killed, whatever its process
 * group or session.  Elsewhere ("rlimit-only") a cell gets RLIMIT_AS of the
 * same size (cfg->rlimit_only, GLIBC_MATRIX_CONTAINMENT=rlimit-only, forces
 * this mode), and
 * escapers are found through PR_SET_CHILD_SUBREAPER: every
 * orphan of a cell is re-parented to us, and the sweep kills and reaps each
 * child of ours that is not a live cell.
 *
 * A run killed with SIGKILL leaves its groups and their processes behind;
 * contain_setup() of the next run kills them and removes the groups whose
 * owner (that pid with that start time) is gone.
 *
 * Thread-safety: contain_setup() on the main thread, before the pool
 * starts; the cell functions from any thread. */
#ifndef GM_CONTAIN_H
#define GM_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"

enum contain_mode { CONTAIN_RLIMIT, CONTAIN_CGROUP_V1, CONTAIN_CGROUP_V2 };

/* Idempotent (the first call's cfg counts).  Never fails: what does not
 * work is a fallback with a reason. */
void contain_setup(const struct gm_config *cfg);
/* Removes the per-run group (at exit of the run; cells must be freed). */
void contain_teardown(void);
enum contain_mode contain_mode(void);
/* "cgroup-v2", "cgroup-v1", "rlimit-only". */
const char *contain_mode_name(void);
/* Why the mode is not a cgroup one, or what was cleaned; "" if nothing. */
const char *contain_reason(void);
/* Limits per cell, as applied (bytes and processes). */
long contain_memory_limit(void);
long contain_pids_limit(void);
/* Leftovers of killed runs removed by contain_setup (groups, processes). */
size_t contain_stale_groups(void);
size_t contain_stale_procs(void);

struct contain_cell;

/* A fresh group for one cell; NULL when not in a cgroup mode (or the group
 * could not be made: the cell then runs with rlimits only). */
struct contain_cell *contain_cell_new(void);
/* In the child before exec: moves the calling process into the cell's
 * groups.  Async-signal-safe (open/write/close).  0 or -errno. */
int contain_cell_join(const struct contain_cell *c);
/* Kills every process in the cell's groups (once; safe with NULL). */
void contain_cell_kill(struct contain_cell *c);
/* Whether the memory limit was hit (an OOM kill in the group). */
bool contain_cell_oom(struct contain_cell *c);
/* Kills what is left, waits for the group to empty, removes it. */
void contain_cell_free(struct contain_cell *c);

/* Live cells: the pids the spawner is waiting for, which the sweep spares.
 * The spawner holds the lock from before the child exists until it is
 * registered, so a sweep never sees an unregistered cell; spawners share
 * it (a read lock), a sweep waits for them. */
void contain_live_lock(void);
void contain_live_unlock(void);
void contain_live_add(int pid);     /* under the lock */
void contain_live_del(int pid);
/* pid exists and is not a zombie (a killed harness not yet reaped by its
 * parent is dead for our purposes). */
bool contain_pid_alive(long pid);

/* Kills and reaps every child of ours that is not a live cell: the
 * escapers re-parented to us as subreaper.  Returns how many. */
size_t contain_sweep_orphans(void);

#endif
