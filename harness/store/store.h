/* The store: sysroots, downloads and build directories, outside the clone so
 * clones and CI runs share it.  Its root is cfg->store (base/config.h:
 * $GLIBC_MATRIX_STORE, default ${XDG_CACHE_HOME:-$HOME/.cache}/glibc-matrix),
 * passed to every function here that touches it.
 *
 *   sysroots/<name>/   complete sysroots only (renamed into place last)
 *   build/<name>/      build.log, and src/ obj/ stage/ while building
 *   downloads/         verified tarballs, .debs and indexes
 *   locks/<name>.lock  flock held while a sysroot is built or imported
 *   trash/             sysroots being removed
 *   rootfs/<name>/     root filesystems for containers (store/rootfs.h)
 *   bundles/           OCI bundles of running containers (container/oci.h)
 *   runs/<pid>.<rand>  claims of live harnesses, flocked, naming a run's
 *                      work directory (store/claim.h) */
#ifndef GM_STORE_H
#define GM_STORE_H

#include <stdbool.h>

#include "base/config.h"
#include "base/err.h"
#include "base/ui.h"

/* Refuses a store path the methods cannot use: one with ':' or ';' (the
 * loader's library-path separators), whitespace (`gcc $(glibc-matrix flags)`
 * splits on it), '$' (DT_RUNPATH expands $ORIGIN-style tokens) or other
 * control characters, or one that exists but is not a directory.  Exit 2,
 * naming the path and the character.  Called by main() before any command
 * that uses the store. */
int store_check(const struct gm_config *cfg, struct gm_err **err);
/* cfg->store/sub, created if missing. */
int store_dir(const struct gm_config *cfg, const char *sub, char **ret, struct gm_err **err);

/* Name rules for sysroots and probe cases, each a single path component in
 * the store: [A-Za-z0-9._+-], 1..64 chars, no leading '.' or '-'. */
bool store_name_valid(const char *name);

/* Takes the lock for name, waiting if it is held.  The fd is deliberately
 * inherited by children (no O_CLOEXEC): if the harness is killed (kill -9),
 * the lock stays held while any process of the interrupted build lives, so
 * a rerun never removes a build directory that a leftover compiler still
 * writes to.  The holder records its pid and its children's process group
 * (store_lock_note_group); a waiter that finds the holder dead kills that
 * group, so an orphaned make cannot keep the lock for minutes. */
/* ctx (may be NULL) hears that we wait for another holder. */
/* The lock file lives as long as what it locks: a holder removes it
 * (store_unlock) when the entry is gone, so a waiter that gets the flock
 * checks that its file is still the one at the path, and locks again if
 * not. */
int store_lock(const struct gm_config *cfg, const struct gm_ctx *ctx, const char *name, int *ret_fd,
	       struct gm_err **err);
void store_lock_note_group(int fd, int pgid);
/* Releases the lock of name taken by store_lock (fd < 0: nothing); remove:
 * the entry it locks does not exist (removed, or never made), so its lock
 * file goes too, unlinked while still held. */
void store_unlock(const struct gm_config *cfg, const char *name, int fd, bool remove);

/* Whether fd is still the file at path (st_dev and st_ino): a lock file
 * removed by its holder while a waiter waited on it is not, and the waiter
 * must lock the one at the path now. */
bool store_fd_is_path(int fd, const char *path);

/* Moves dir into trash/ (atomic disappearance), then deletes it. */
int store_discard(const struct gm_config *cfg, const char *dir, struct gm_err **err);

/* The one way a finished sysroot (or any store entry) appears: stage, a
 * complete directory on the store's file system, is renamed to final as the
 * last step.  An existing final is swapped out atomically (RENAME_EXCHANGE)
 * and discarded, so readers see the old or the new one, never none and
 * never half of one; the parent directory is synced. */
int store_publish(const struct gm_config *cfg, const char *stage, const char *final, struct gm_err **err);

#endif
