/* OpenPGP signatures of a Debian suite's Release file, checked by gpgv (the
 * verifier apt uses) against a keyring: the Debian archive keyring, or
 * $GLIBC_MATRIX_KEYRING.  An imported sysroot's ld.so runs in every cell,
 * so nothing of a suite is trusted before its Release file is: the Release
 * lists the Packages index's SHA256, the index each .deb's SHA256.
 *
 * gpgv's verdict is read from its --status-fd lines, as apt does, not from
 * its exit status alone: a Release signed by several keys is good when one
 * of them is in the keyring and none is bad (gpgv exits non-zero when a
 * second signature's key is merely missing, e.g. a newer release key). */
#ifndef GM_SIGNATURE_H
#define GM_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "base/err.h"

#define SIGNATURE_DEFAULT_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

/* cfg->keyring ($GLIBC_MATRIX_KEYRING: a binary keyring, as `gpg --export`
 * writes), else SIGNATURE_DEFAULT_KEYRING. */
const char *signature_keyring(const struct gm_config *cfg);

/* Verifies a signed text: an InRelease (clearsigned; sig == NULL) or a
 * Release with its detached Release.gpg (sig, siglen).  url names the
 * signed file in messages; tmpdir is an existing private directory for
 * gpgv's input files (removed again).  On success *ret_text gets the
 * verified text only (gpgv's --output for a clearsigned file: no armor,
 * nothing from outside the signed part) and *ret_fprs the primary-key
 * fingerprints of the good signatures, space-separated.  Failure is
 * GM_EXIT_INFRA, naming url, the keyring and gpgv's reason. */
int signature_verify(const char *keyring, const char *tmpdir, const char *url,
		     const char *text, size_t len, const char *sig, size_t siglen,
		     char **ret_text, char **ret_fprs, struct gm_err **err);

/* The verdict on gpgv's status lines (other lines are ignored).  Returns
 * true and sets *ret_fprs if at least one signature is good (GOODSIG and
 * VALIDSIG by a key neither expired nor revoked), none is bad, and at most
 * one signed text was seen.  Otherwise returns false and sets *ret_reason.
 * Exposed for unit tests. */
bool signature_parse_status(const char *status, char **ret_fprs, char **ret_reason);

#endif
