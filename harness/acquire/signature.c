#define _GNU_SOURCE
#include "acquire/signature.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "exec/proc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A Release file is a few hundred kB; gpgv's messages a few lines. */
#define GPGV_CAPTURE_MAX (64u << 20)
#define GPGV_TIMEOUT_S 120

const char *signature_keyring(const struct gm_config *cfg)
{
	return cfg->keyring ? cfg->keyring : SIGNATURE_DEFAULT_KEYRING;
}

/* One signature: the status lines between two NEWSIGs. */
struct sig {
	bool seen, good, valid, worthless, bad, nokey;
	char *fpr;   /* primary-key fingerprint (VALIDSIG) */
	char *who;   /* key id and user id, for messages */
};

struct verdict {
	struct strbuf fprs;
	struct strbuf bad, nokey, worthless;
	int good, plaintexts;
	bool nodata;
};

static bool is_fpr(const char *s)
{
	size_t n = strlen(s);
	if (n != 40 && n != 64)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

static void list_add(struct strbuf *sb, const char *what)
{
	strbuf_addf(sb, "%s%s", sb->len ? ", " : "", what ? what : "?");
}

static void sig_finish(struct sig *s, struct verdict *v)
{
	if (!s->seen)
		return;
	if (s->bad)
		list_add(&v->bad, s->who);
	else if (s->worthless)
		list_add(&v->worthless, s->who);
	else if (s->good && s->valid && s->fpr) {
		strbuf_addf(&v->fprs, "%s%s", v->fprs.len ? " " : "", s->fpr);
		v->good++;
	} else if (s->nokey)
		list_add(&v->nokey, s->who);
	free(s->fpr);
	free(s->who);
	memset(s, 0, sizeof(*s));
}

/* The n-th space-separated word of args (0-based), or NULL. */
static char *word(const char *args, int n)
{
	const char *p = args;
	for (;;) {
		while (*p == ' ')
			p++;
		if (!*p)
			return NULL;
		size_t len = strcspn(p, " ");
		if (n-- == 0)
			return xstrndup(p, len);
		p += len;
	}
}

static void status_line(const char *kw, const char *args, struct sig *s, struct verdict *v)
{
	if (strcmp(kw, "NEWSIG") == 0) {
		sig_finish(s, v);
		s->seen = true;
		return;
	}
	if (strcmp(kw, "PLAINTEXT") == 0) {
		v->plaintexts++;
		return;
	}
	if (strcmp(kw, "NODATA") == 0) {
		v->nodata = true;
		return;
	}
	bool goodsig = strcmp(kw, "GOODSIG") == 0, badsig = strcmp(kw, "BADSIG") == 0;
	bool worthless = strcmp(kw, "EXPSIG") == 0 || strcmp(kw, "EXPKEYSIG") == 0 ||
			 strcmp(kw, "REVKEYSIG") == 0;
	bool nokey = strcmp(kw, "ERRSIG") == 0 || strcmp(kw, "NO_PUBKEY") == 0;
	bool validsig = strcmp(kw, "VALIDSIG") == 0;
	if (!goodsig && !badsig && !worthless && !nokey && !validsig)
		return;
	s->seen = true; /* gpg without NEWSIG lines: one signature */
	if (validsig) {
		/* VALIDSIG <fpr> <date> ... <primary-key-fpr> (11th word). */
		char *f = word(args, 9);
		if (!f || !is_fpr(f)) {
			free(f);
			f = word(args, 0);
		}
		if (f && is_fpr(f)) {
			free(s->fpr);
			s->fpr = f;
			s->valid = true;
		} else {
			free(f);
		}
		return;
	}
	if (!s->who) {
		/* "<keyid> <user id>" for GOODSIG/BADSIG/EXP*; a key id for the rest. */
		s->who = xstrdup(args);
		if (nokey && strchr(s->who, ' '))
			*strchr(s->who, ' ') = '\0';
	}
	s->good |= goodsig;
	s->bad |= badsig;
	s->worthless |= worthless;
	s->nokey |= nokey;
}

bool signature_parse_status(const char *status, char **ret_fprs, char **ret_reason)
{
	static const char prefix[] = "[GNUPG:] ";
	struct verdict v = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0, 0, false};
	struct sig s = {0};
	const char *p = status;

	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len > sizeof(prefix) - 1 && strncmp(p, prefix, sizeof(prefix) - 1) == 0) {
			cleanup_free char *line = xstrndup(p + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
			char *args = line + strcspn(line, " ");
			if (*args)
				*args++ = '\0';
			status_line(line, args, &s, &v);
		}
		p += len;
		if (*p)
			p++;
	}
	sig_finish(&s, &v);

	char *reason = NULL;
	if (v.plaintexts > 1)
		reason = xasprintf("%d signed texts in one file (only one may be)", v.plaintexts);
	else if (v.bad.len)
		reason = xasprintf("BAD signature from %s", strbuf_str(&v.bad));
	else if (v.good == 0 && v.worthless.len)
		reason = xasprintf("signed only by expired or revoked keys: %s", strbuf_str(&v.worthless));
	else if (v.good == 0 && v.nokey.len)
		reason = xasprintf("no public key in the keyring for key %s", strbuf_str(&v.nokey));
	else if (v.good == 0)
		reason = xstrdup(v.nodata ? "no signature found" : "no good signature");
	bool ok = !reason;
	if (ok)
		*ret_fprs = strbuf_detach(&v.fprs);
	else
		*ret_reason = reason;
	strbuf_release(&v.fprs);
	strbuf_release(&v.bad);
	strbuf_release(&v.nokey);
	strbuf_release(&v.worthless);
	return ok;
}

/* gpgv's own lines ("gpgv: BAD signature from ..."), joined for a message. */
static char *human_lines(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		if (len && strncmp(p, "[GNUPG:]", 8) != 0)
			strbuf_addf(&sb, "%s%.*s", sb.len ? "\n" : "", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
	return strbuf_detach(&sb);
}

int signature_verify(const char *keyring, const char *tmpdir, const char *url,
		     const char *text, size_t len, const char *sig, size_t siglen,
		     char **ret_text, char **ret_fprs, struct gm_err **err)
{
	cleanup_free char *data_path = path_join(tmpdir, sig ? "Release" : "InRelease");
	cleanup_free char *sig_path = path_join(tmpdir, "Release.gpg");
	/* gpgv's home: empty, so no keyring of the user's is trusted. */
	cleanup_free char *home = path_join(tmpdir, "gnupg");
	cleanup_free char *fprs = NULL, *reason = NULL;
	/* gpgv looks a keyring name without a slash up in its home. */
	cleanup_free char *keyring_abs = path_absolute(keyring);
	struct proc_result res = {0};
	int r = -1;

	if (access(keyring, R_OK) < 0) {
		gm_infra(err, errno, "cannot verify '%s': cannot read the keyring '%s' "
				     "(Debian package debian-archive-keyring, or $GLIBC_MATRIX_KEYRING)",
			 url, keyring);
		goto out;
	}
	if (mkdir_p(home, 0700, err) < 0 || write_file_atomic(data_path, text, len, 0644, err) < 0 ||
	    (sig && write_file_atomic(sig_path, sig, siglen, 0644, err) < 0))
		goto out;

	/* The status lines go to stderr with gpgv's messages; with a clearsigned
	 * file, stdout is the verified text. */
	char *argv_clear[] = {"gpgv", "--homedir", home, "--status-fd", "2", "--keyring",
			      keyring_abs, "--output", "-", data_path, NULL};
	char *argv_detached[] = {"gpgv", "--homedir", home, "--status-fd", "2", "--keyring",
				 keyring_abs, sig_path, data_path, NULL};
	struct proc_spec spec = {.argv = sig ? argv_detached : argv_clear,
				 .capture_max = GPGV_CAPTURE_MAX, .log_fd = -1, .stdin_fd = -1,
				 .timeout_s = GPGV_TIMEOUT_S};
	if (proc_run(&spec, &res, err) < 0)
		goto out;
	if (res.exec_failed) {
		gm_infra(err, res.exec_errno,
			 "cannot verify '%s': cannot run gpgv (Debian package gpgv); a mirror "
			 "without signatures needs --insecure",
			 url);
		goto out;
	}
	if (res.interrupted) {
		gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "verification of '%s' interrupted", url);
		goto out;
	}
	if (res.out_truncated || res.err_truncated || res.signal || res.timed_out)
		reason = proc_describe(&res);
	else if (signature_parse_status(res.err ? res.err : "", &fprs, &reason))
		/* gpgv's exit status is not the verdict (see signature.h), but
		 * an exit after a good signature must still come with one. */
		reason = NULL;
	if (reason) {
		cleanup_free char *said = human_lines(res.err ? res.err : "");
		gm_infra(err, 0, "signature check of '%s' failed with keyring '%s': %s%s%s", url,
			 keyring, reason, *said ? "\n" : "", said);
		goto out;
	}
	*ret_text = sig ? xstrndup(text, len) : xstrndup(res.out ? res.out : "", res.out_len);
	*ret_fprs = steal_pointer(&fprs);
	r = 0;
out:
	proc_result_release(&res);
	rm_rf(tmpdir, NULL);
	return r;
}
