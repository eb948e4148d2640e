/* Downloads over HTTP(S) with libcurl. */
#ifndef GM_FETCH_H
#define GM_FETCH_H

#include <stddef.h>

#include "base/err.h"

/* What a download of unknown size may grow to before it is aborted.  The
 * largest file the harness fetches is a glibc tarball (about 20 MB) or a
 * Packages index (about 10 MB compressed); 512 MiB is far above both and
 * still far below what would fill a disk. */
#define FETCH_DEFAULT_MAX (512ull << 20)

/* Downloads url to dest through dest.part.<pid>, computing its SHA-256 on
 * the way.  If want_sha256 is non-NULL and differs, nothing is left at dest
 * and the error (GM_EXIT_INFRA) names both hashes.  ret_sha256 may be NULL.
 * If dest already exists with the wanted hash, nothing is downloaded.
 * size > 0 is the exact size expected (from an index): the transfer is
 * aborted, and nothing kept, as soon as more bytes arrive (a mirror
 * streaming an endless body), and fewer are an error too.  size == 0: the
 * size is unknown and FETCH_DEFAULT_MAX bounds it.  Before downloading, dest's directory is swept of
 * "*.part.<pid>" files left by a harness that was killed (the pid is dead,
 * or the file is older than a day). */
int fetch_file_sized(const char *url, const char *dest, const char *want_sha256,
		     unsigned long long size, char ret_sha256[65], struct gm_err **err);
/* fetch_file_sized with an unknown size. */
int fetch_file(const char *url, const char *dest, const char *want_sha256,
	       char ret_sha256[65], struct gm_err **err);

/* The sweep fetch_file does, exposed for tests: removes dir's stale
 * "*.part.<pid>" files; returns how many it removed. */
int fetch_sweep_parts(const char *dir);

/* Both report a missing remote file (HTTP 404/410, missing file:// path) as
 * an error with sys_errno == ENOENT, so callers can tell "no such suite"
 * from a network failure. */

/* Downloads url into memory (indexes, Release files); capped at max bytes. */
int fetch_mem(const char *url, size_t max, char **ret, size_t *ret_len, struct gm_err **err);

#endif
