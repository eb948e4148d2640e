/* gpgv's verdict is read from its status lines (signature.h): one good
 * signature by a key of the keyring suffices, a bad one fails everything,
 * missing keys alone fail, and two signed texts in one file fail. */
#include "acquire/signature.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* What gpgv printed for bookworm's InRelease against the Debian keyring
 * (two automatic signing keys and the release key; status lines and its
 * own messages interleaved on one stream). */
#define BOOKWORM \
	"[GNUPG:] NEWSIG\n" \
	"[GNUPG:] KEY_CONSIDERED B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8 0\n" \
	"[GNUPG:] PLAINTEXT 74 0 \n" \
	"gpgv: Signature made Sat Jul 11 10:17:11 2026 UTC\n" \
	"gpgv:                using RSA key 4CB50190207B4758A3F73A796ED0E7B82643E131\n" \
	"[GNUPG:] GOODSIG 6ED0E7B82643E131 Debian Archive Automatic Signing Key (12/bookworm) <ftpmaster@debian.org>\n" \
	"[GNUPG:] VALIDSIG 4CB50190207B4758A3F73A796ED0E7B82643E131 2026-07-11 1783765031 0 4 0 1 8 01 B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8\n" \
	"[GNUPG:] NEWSIG\n" \
	"[GNUPG:] GOODSIG 78DBA3BC47EF2265 Debian Archive Automatic Signing Key (13/trixie) <ftpmaster@debian.org>\n" \
	"[GNUPG:] VALIDSIG B8E5F13176D2A7A75220028078DBA3BC47EF2265 2026-07-11 1783765032 0 4 0 1 8 01 04B54C3CDCA79751B16BC6B5225629DF75B188BD\n" \
	"[GNUPG:] NEWSIG\n" \
	"[GNUPG:] GOODSIG F8D2585B8783D481 Debian Stable Release Key (12/bookworm) <debian-release@lists.debian.org>\n" \
	"[GNUPG:] VALIDSIG 4D64FEC119C2029067D6E791F8D2585B8783D481 2026-07-11 1783765141 0 4 0 22 8 01 4D64FEC119C2029067D6E791F8D2585B8783D481\n"
static const char bookworm[] = BOOKWORM;

static bool parse(const char *status, char **fprs, char **reason)
{
	*fprs = *reason = NULL;
	return signature_parse_status(status, fprs, reason);
}

static void good_signatures_give_primary_fingerprints(void)
{
	char *fprs, *reason;
	TEST_VERIFY(parse(bookworm, &fprs, &reason));
	TEST_COMPARE_STRING(fprs, "B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8 "
				  "04B54C3CDCA79751B16BC6B5225629DF75B188BD "
				  "4D64FEC119C2029067D6E791F8D2585B8783D481");
	TEST_VERIFY(reason == NULL);
	free(fprs);
}

static void one_bad_signature_fails_all(void)
{
	char *fprs, *reason;
	const char *text = BOOKWORM "[GNUPG:] NEWSIG\n"
					   "[GNUPG:] BADSIG 0123456789ABCDEF Mallory <m@invalid>\n";
	TEST_VERIFY(!parse(text, &fprs, &reason));
	TEST_VERIFY(fprs == NULL);
	TEST_VERIFY(reason && strstr(reason, "BAD signature from 0123456789ABCDEF Mallory"));
	free(reason);
}

/* A newer key missing from an older keyring: the others still count. */
static void missing_key_beside_a_good_one_passes(void)
{
	char *fprs, *reason;
	const char *t = "[GNUPG:] NEWSIG\n"
			"[GNUPG:] ERRSIG AAAABBBBCCCCDDDD 1 8 01 1783765031 9 -\n"
			"[GNUPG:] NO_PUBKEY AAAABBBBCCCCDDDD\n"
			"[GNUPG:] NEWSIG\n"
			"[GNUPG:] GOODSIG 78DBA3BC47EF2265 trixie\n"
			"[GNUPG:] VALIDSIG B8E5F13176D2A7A75220028078DBA3BC47EF2265 2026-07-11 1783765032 0 4 0 1 8 01 04B54C3CDCA79751B16BC6B5225629DF75B188BD\n";
	TEST_VERIFY(parse(t, &fprs, &reason));
	TEST_COMPARE_STRING(fprs, "04B54C3CDCA79751B16BC6B5225629DF75B188BD");
	free(fprs);
}

static void only_missing_keys_fail(void)
{
	char *fprs, *reason;
	const char *t = "[GNUPG:] NEWSIG\n"
			"[GNUPG:] ERRSIG AAAABBBBCCCCDDDD 1 8 01 1783765031 9 -\n"
			"[GNUPG:] NO_PUBKEY AAAABBBBCCCCDDDD\n"
			"gpgv: Can't check signature: No public key\n";
	TEST_VERIFY(!parse(t, &fprs, &reason));
	TEST_COMPARE_STRING(reason, "no public key in the keyring for key AAAABBBBCCCCDDDD");
	free(reason);
}

static void expired_key_is_not_good(void)
{
	char *fprs, *reason;
	const char *t = "[GNUPG:] NEWSIG\n"
			"[GNUPG:] EXPKEYSIG 6ED0E7B82643E131 Old key\n"
			"[GNUPG:] VALIDSIG 4CB50190207B4758A3F73A796ED0E7B82643E131 2020-01-01 1 0 4 0 1 8 01 B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8\n";
	TEST_VERIFY(!parse(t, &fprs, &reason));
	TEST_VERIFY(reason && strstr(reason, "expired or revoked keys: 6ED0E7B82643E131 Old key"));
	free(reason);
}

/* GOODSIG without VALIDSIG gives no fingerprint to record: not accepted. */
static void goodsig_needs_validsig(void)
{
	char *fprs, *reason;
	TEST_VERIFY(!parse("[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG 6ED0E7B82643E131 x\n", &fprs, &reason));
	TEST_COMPARE_STRING(reason, "no good signature");
	free(reason);
}

static void unsigned_and_empty_fail(void)
{
	char *fprs, *reason;
	TEST_VERIFY(!parse("[GNUPG:] NODATA 1\ngpgv: no signature found\n", &fprs, &reason));
	TEST_COMPARE_STRING(reason, "no signature found");
	free(reason);
	TEST_VERIFY(!parse("", &fprs, &reason));
	TEST_COMPARE_STRING(reason, "no good signature");
	free(reason);
	/* A status keyword in gpgv's prose is not a status line. */
	TEST_VERIFY(!parse("gpgv: [GNUPG:] GOODSIG x\n", &fprs, &reason));
	free(reason);
}

/* Text outside what one signature covers must not be read as verified. */
static void two_signed_texts_fail(void)
{
	char *fprs, *reason;
	const char *text = BOOKWORM "[GNUPG:] PLAINTEXT 74 0 \n";
	TEST_VERIFY(!parse(text, &fprs, &reason));
	TEST_VERIFY(reason && strstr(reason, "2 signed texts"));
	free(reason);
}

static void keyring_from_environment(void)
{
	unsetenv("GLIBC_MATRIX_KEYRING");
	TEST_COMPARE_STRING(signature_keyring(), SIGNATURE_DEFAULT_KEYRING);
	setenv("GLIBC_MATRIX_KEYRING", "", 1);
	TEST_COMPARE_STRING(signature_keyring(), SIGNATURE_DEFAULT_KEYRING);
	setenv("GLIBC_MATRIX_KEYRING", "/tmp/k.gpg", 1);
	TEST_COMPARE_STRING(signature_keyring(), "/tmp/k.gpg");
	unsetenv("GLIBC_MATRIX_KEYRING");
}

int main(void)
{
	RUN_TEST(good_signatures_give_primary_fingerprints);
	RUN_TEST(one_bad_signature_fails_all);
	RUN_TEST(missing_key_beside_a_good_one_passes);
	RUN_TEST(only_missing_keys_fail);
	RUN_TEST(expired_key_is_not_good);
	RUN_TEST(goodsig_needs_validsig);
	RUN_TEST(unsigned_and_empty_fail);
	RUN_TEST(two_signed_texts_fail);
	RUN_TEST(keyring_from_environment);
	TAP_END();
}
