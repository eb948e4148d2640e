/* The classifier on loader messages captured from real runs (glibc 2.31,
 * 2.36, 2.41, 2.42 loaders, on this project's machines). */
#include "verdict/classify.h"
#include "base/util.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

static struct proc_result exited(int code, const char *out, const char *err)
{
	struct proc_result r;
	memset(&r, 0, sizeof(r));
	r.exit_code = code;
	r.out = (char *)out;
	r.err = (char *)err;
	return r;
}

static void check(struct proc_result r, const struct run_expect *e, enum gm_outcome want,
		  const char *detail)
{
	struct classified c;
	classify(&r, e, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), gm_outcome_name(want));
	TEST_COMPARE_STRING(c.detail, detail);
	classified_release(&c);
}

/* A 2.41 libc.so.6 injected alone into a 2.31 tree (captured from the
 * inject-libc-only route): libc needs a node of the other build's loader. */
static void libc_needs_other_loader(void)
{
	check(exited(1, "", "/gm/0/probe: /lib64/ld-linux-x86-64.so.2: version `GLIBC_2.35' "
			   "not found (required by /lib/x86_64-linux-gnu/libc.so.6)\n"),
	      NULL, GM_MIXED_GLIBC, "GLIBC_2.35 of ld-linux-x86-64.so.2, required by libc.so.6");
}

static void symbol_version_231(void)
{
	check(exited(1, "", "/usr/bin/ls: /store/sysroots/debian-bullseye-amd64/lib/x86_64-linux-gnu/"
			   "libc.so.6: version `GLIBC_2.33' not found (required by /usr/bin/ls)\n"
			   "/usr/bin/ls: /store/x/libc.so.6: version `GLIBC_2.34' not found "
			   "(required by /usr/bin/ls)\n"),
	      NULL, GM_SYMBOL_VERSION, "GLIBC_2.33");
	check(exited(1, "", "./hello: ./libc.so.6: version `GLIBC_ABI_DT_RELR' not found "
			   "(required by ./hello)\n"),
	      NULL, GM_SYMBOL_VERSION, "GLIBC_ABI_DT_RELR");
}

static void missing_library(void)
{
	check(exited(127, "", "/usr/bin/ls: error while loading shared libraries: libselinux.so.1: "
			     "cannot open shared object file: No such file or directory\n"),
	      NULL, GM_MISSING_LIBRARY, "libselinux.so.1");
}

static void mixed_glibc(void)
{
	check(exited(127, "", "/bin/echo: symbol lookup error: /s/libc.so.6: undefined symbol: "
			     "__tunable_is_initialized, version GLIBC_PRIVATE\n"),
	      NULL, GM_MIXED_GLIBC, "__tunable_is_initialized@GLIBC_PRIVATE");
	check(exited(127, "", "./p: relocation error: /s/libc.so.6: symbol _dl_x, version "
			     "GLIBC_PRIVATE not defined in file ld-linux-x86-64.so.2 with link time "
			     "reference\n"),
	      NULL, GM_MIXED_GLIBC,
	      "/s/libc.so.6: symbol _dl_x, version GLIBC_PRIVATE not defined in file "
	      "ld-linux-x86-64.so.2 with link time reference");
	check(exited(127, "", "Inconsistency detected by ld.so: dl-call-libc-early-init.c: 37: "
			     "_dl_call_libc_early_init: Assertion `sym != NULL' failed!\n"),
	      NULL, GM_MIXED_GLIBC,
	      "dl-call-libc-early-init.c: 37: _dl_call_libc_early_init: Assertion `sym != NULL' "
	      "failed!");
}

/* Messages of real runs here: trixie's jq against bookworm's libjq, and
 * a library's own node without the symbol (tests/065-subjects.bats). */
static void missing_symbol(void)
{
	check(exited(127, "", "jq: symbol lookup error: jq: undefined symbol: jq_set_stderr_cb\n"),
	      NULL, GM_MISSING_SYMBOL, "jq_set_stderr_cb");
	check(exited(127, "", "./p: symbol lookup error: ./p: undefined symbol: new_ver_fn, "
			     "version LIBGMSYM_2\n"),
	      NULL, GM_MISSING_SYMBOL, "new_ver_fn@LIBGMSYM_2");
	check(exited(127, "", "./p: relocation error: ./p: symbol f, version LIBX_1 not defined in "
			     "file libx.so.1 with link time reference\n"),
	      NULL, GM_MISSING_SYMBOL,
	      "./p: symbol f, version LIBX_1 not defined in file libx.so.1 with link time reference");
}

static void crash_timeout_exec(void)
{
	struct proc_result r = exited(-1, "", "");
	r.signal = SIGSEGV;
	check(r, NULL, GM_CRASH, "SIGSEGV");
	r = exited(-1, "", "");
	r.signal = SIGKILL;
	r.timed_out = true;
	r.duration_s = 5;
	check(r, NULL, GM_TIMEOUT, "killed after 5.0 s");
	r = exited(0, "", "");
	r.exec_failed = true;
	r.exec_errno = ENOENT;
	check(r, NULL, GM_EXEC_FAILED, "exec: No such file or directory (missing interpreter?)");
	check(exited(127, "", "/s/ld.so: cannot open file: /nope: No such file or directory\n"), NULL,
	      GM_EXEC_FAILED, "/s/ld.so: cannot open file: /nope: No such file or directory");
}

static void ok_failed_wrong_libc(void)
{
	char *dirs[] = {"/s/lib", NULL};
	struct run_expect e = {.glibc_version = "2.42", .libdirs = dirs};
	check(exited(0, "glibc=2.42\nlibc=/s/lib/libc.so.6\n", ""), &e, GM_OK, "");
	check(exited(0, "glibc=2.36\nlibc=/lib/x86_64-linux-gnu/libc.so.6\n", ""), &e, GM_WRONG_LIBC,
	      "ran on glibc 2.36 (/lib/x86_64-linux-gnu/libc.so.6)");
	check(exited(0, "glibc=2.42\nlibc=/other/lib/libc.so.6\n", ""), &e, GM_WRONG_LIBC,
	      "mapped /other/lib/libc.so.6");
	check(exited(0, "glibc=2.42\nlibc=static\n", ""), &e, GM_OK, "");
	/* exit 0 without the report: a loader that is a script ran instead */
	check(exited(0, "I am not a loader\n", ""), &e, GM_WRONG_LIBC,
	      "no probe report (no glibc= line): the probe did not run");
	check(exited(0, "I am not a loader\n", ""), NULL, GM_OK, "");
	check(exited(3, "", "iconv_open: Invalid argument\n"), &e, GM_FAILED,
	      "exit 3: iconv_open: Invalid argument");
}

static void key_values(void)
{
	char *v = kv_get("a=1\nglibc=2.31\nlibc=/x\n", "glibc");
	TEST_COMPARE_STRING(v, "2.31");
	free(v);
	TEST_VERIFY(kv_get("xglibc=2\n", "glibc") == NULL);
	TEST_VERIFY(kv_get("", "glibc") == NULL);
}

int main(void)
{
	RUN_TEST(symbol_version_231);
	RUN_TEST(missing_library);
	RUN_TEST(mixed_glibc);
	RUN_TEST(missing_symbol);
	RUN_TEST(libc_needs_other_loader);
	RUN_TEST(crash_timeout_exec);
	RUN_TEST(ok_failed_wrong_libc);
	RUN_TEST(key_values);
	TAP_END();
}
