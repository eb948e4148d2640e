/* Where the Debian archive is.  The address is never stored in the project:
 * it comes from $GLIBC_MATRIX_MIRROR or from the machine's apt configuration
 * (deb822 *.sources files and one-line sources.list), read at run time. */
#ifndef GM_MIRROR_H
#define GM_MIRROR_H

#include "base/config.h"
#include "base/err.h"

/* Resolves the archive root URL (no trailing slash): cfg->mirror
 * ($GLIBC_MATRIX_MIRROR), else read from the apt directory cfg->apt_dir
 * ($GLIBC_MATRIX_APT_DIR or /etc/apt), a few small files read again on each
 * call. */
int mirror_debian(const struct gm_config *cfg, char **ret_url, struct gm_err **err);

/* Parsers, exposed for unit tests.  Each returns the URI of the first enabled
 * "deb"/"deb-src" entry of the highest rank, or NULL; *ret_rank (may be NULL)
 * gets 2 if the entry serves a Debian codename (bookworm, sid, ...), 1 for
 * another plain suite, 0 for *-security/-updates/-backports. */
char *mirror_parse_deb822(const char *text, int *ret_rank);
char *mirror_parse_oneline(const char *text, int *ret_rank);

#endif
