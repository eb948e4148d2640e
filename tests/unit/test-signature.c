/* gpgv's verdict is read from its status lines (signature.h): one good
 * signature by a key of the keyring suffices, a bad one fails everything,
 * missing keys alone fail, and two signed texts in one file fail.  Then
 * gpgv itself on a committed fixture: only the signed text comes back. */
#include "acquire/debindex.h"
#include "acquire/signature.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* tests/fixtures/release/README says how these were made. */
#define FIX "tests/fixtures/release/"
#define FIX_FPR "EE790A199CD49E3D0732BD8EC48A875D2012B32A"

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
	char *unset[] = {NULL}, *empty[] = {"GLIBC_MATRIX_KEYRING=", NULL},
	     *set[] = {"GLIBC_MATRIX_KEYRING=/tmp/k.gpg", NULL};
	char **envs[] = {unset, empty, set};
	const char *want[] = {SIGNATURE_DEFAULT_KEYRING, SIGNATURE_DEFAULT_KEYRING, "/tmp/k.gpg"};
	for (size_t i = 0; i < 3; i++) {
		struct gm_config cfg;
		config_from_env(&cfg, envs[i], "/nonexistent");
		TEST_COMPARE_STRING(signature_keyring(&cfg), want[i]);
		config_release(&cfg);
	}
}

static char *fixture(const char *name, size_t *len)
{
	char *text = NULL;
	TEST_COMPARE(read_file(name, &text, len, NULL), 0);
	return text;
}

/* signature_verify with a real gpgv: *ret_text, *ret_fprs, or an error. */
static int verify(const char *keyring, const char *text, size_t len, const char *sig,
		  size_t siglen, char **ret_text, char **ret_fprs, struct gm_err **err)
{
	char tmp[] = "/tmp/gm-test-signature.XXXXXX";
	if (!mkdtemp(tmp))
		return -1;
	int r = signature_verify(keyring, tmp, "file:///fixture/InRelease", text, len, sig, siglen,
				 ret_text, ret_fprs, err);
	TEST_VERIFY(!path_exists(tmp)); /* removed again */
	return r;
}

/* Only what the signature covers comes back: text put before or after the
 * signed part (which a parser of the raw file would read first) is gone. */
static void gpgv_returns_only_the_signed_text(void)
{
	size_t len, rlen;
	char *in = fixture(FIX "InRelease", &len), *release = fixture(FIX "Release", &rlen);
	char *wrapped = xasprintf("Codename: evil\n%sCodename: evil2\n", in);
	char *text = NULL, *fprs = NULL;
	struct gm_err *e = NULL;
	char *raw = debindex_release_field(wrapped, "Codename");
	TEST_COMPARE_STRING(raw, "evil");
	TEST_COMPARE(verify(FIX "keyring.gpg", wrapped, strlen(wrapped), NULL, 0, &text, &fprs, &e), 0);
	TEST_VERIFY(e == NULL);
	TEST_COMPARE_STRING(fprs, FIX_FPR);
	TEST_COMPARE_STRING(text, release);
	char *codename = debindex_release_field(text ? text : "", "Codename");
	TEST_COMPARE_STRING(codename, "fixture");
	char sha[65];
	unsigned long long size = 0;
	TEST_VERIFY(debindex_release_sha256(text ? text : "", "main/binary-amd64/Packages", sha, &size));
	TEST_COMPARE(size, 11);
	free(raw);
	free(codename);
	free(text);
	free(fprs);
	free(wrapped);
	free(in);
	free(release);
}

static void gpgv_detached_and_failures(void)
{
	size_t len, rlen, slen;
	char *in = fixture(FIX "InRelease", &len), *release = fixture(FIX "Release", &rlen);
	char *sig = fixture(FIX "Release.gpg", &slen);
	char *text = NULL, *fprs = NULL;
	struct gm_err *e = NULL;

	TEST_COMPARE(verify(FIX "keyring.gpg", release, rlen, sig, slen, &text, &fprs, &e), 0);
	TEST_COMPARE_STRING(fprs, FIX_FPR);
	TEST_COMPARE_STRING(text, release);
	free(text);
	free(fprs);

	/* One hash digit changed under the signature. */
	char *p = strstr(in, " c2884d");
	TEST_VERIFY(p != NULL);
	if (p)
		p[1] = 'd';
	TEST_COMPARE(verify(FIX "keyring.gpg", in, len, NULL, 0, &text, &fprs, &e), -1);
	TEST_VERIFY(e && e->code == GM_EXIT_INFRA);
	TEST_VERIFY(e && strstr(e->msg, "signature check of 'file:///fixture/InRelease' failed with "
					"keyring 'tests/fixtures/release/keyring.gpg': BAD signature"));
	gm_err_free(&e);

	/* The Debian keyring does not hold the fixture's key. */
	if (access(SIGNATURE_DEFAULT_KEYRING, R_OK) == 0) {
		TEST_COMPARE(verify(SIGNATURE_DEFAULT_KEYRING, release, rlen, sig, slen, &text, &fprs, &e), -1);
		TEST_VERIFY(e && strstr(e->msg, "no public key in the keyring for key"));
		gm_err_free(&e);
	}
	/* Unsigned text. */
	TEST_COMPARE(verify(FIX "keyring.gpg", release, rlen, NULL, 0, &text, &fprs, &e), -1);
	TEST_VERIFY(e && strstr(e->msg, "failed with keyring"));
	gm_err_free(&e);
	/* No keyring. */
	TEST_COMPARE(verify("/nonexistent/k.gpg", in, len, NULL, 0, &text, &fprs, &e), -1);
	TEST_VERIFY(e && strstr(e->msg, "cannot read the keyring '/nonexistent/k.gpg'"));
	gm_err_free(&e);
	free(in);
	free(release);
	free(sig);
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
	RUN_TEST(gpgv_returns_only_the_signed_text);
	RUN_TEST(gpgv_detached_and_failures);
	TAP_END();
}
