/* The classifier on loader messages captured from real runs (glibc 2.31,
 * 2.36, 2.41, 2.42 loaders, on this project's machines). */
#include "verdict/classify.h"
#include "base/cleanup.h"
#include "base/fs.h"
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
 * inject-libc-only method): libc needs a node of the other build's loader. */
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
	/* It exited, but a setsid()ed descendant kept writing to its output
	 * past the deadline (exec/proc.h: output_cut). */
	r = exited(0, "", "");
	r.timed_out = r.output_cut = true;
	r.duration_s = 3;
	check(r, NULL, GM_TIMEOUT, "output cut after 3.0 s: the program exited 0, but a descendant "
				   "that left its process group kept writing to it");
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

/* Two glibc "builds" as glibc_pairing tells them apart: a loader's
 * directory with its partner libc.so.6, and another libc.so.6 of another
 * build ID (any two ELF files with different build IDs will do). */
struct builds {
	char dir[64];
	char *ld, *own_libc, *other_libc;
};

static int builds_make(struct builds *b)
{
	snprintf(b->dir, sizeof(b->dir), "/tmp/test-classify-XXXXXX");
	if (!mkdtemp(b->dir))
		return -1;
	cleanup_free char *a = path_join(b->dir, "a"), *o = path_join(b->dir, "b");
	b->ld = path_join(a, "ld-linux-x86-64.so.2");
	b->own_libc = path_join(a, "libc.so.6");
	b->other_libc = path_join(o, "libc.so.6");
	if (mkdir_p(a, 0755, NULL) < 0 || mkdir_p(o, 0755, NULL) < 0 ||
	    copy_file("/bin/true", b->ld, NULL) < 0 || copy_file("/bin/true", b->own_libc, NULL) < 0 ||
	    copy_file("/bin/ls", b->other_libc, NULL) < 0)
		return -1;
	return 0;
}

static void builds_free(struct builds *b)
{
	rm_rf(b->dir, NULL);
	free(b->ld);
	free(b->own_libc);
	free(b->other_libc);
}

/* A user's program prints what it likes: "libc=" of another glibc and
 * "glibc=2.99" on its stdout are its own words, not the probe protocol. */
static void protocol_for_probes_only(void)
{
	struct builds b;
	TEST_VERIFY(builds_make(&b) == 0);
	cleanup_free char *out = xasprintf("glibc=2.99\nlibc=%s\nld=%s\n", b.other_libc, b.ld);
	struct classified c;
	classify(&(struct proc_result){.out = out, .err = (char *)""}, NULL, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "ok");
	TEST_VERIFY(c.ran_glibc == NULL && c.ran_libc == NULL);
	classified_release(&c);
	/* A probe that reports the same is a process of two builds. */
	struct run_expect e = {0};
	classify(&(struct proc_result){.out = out, .err = (char *)""}, &e, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "mixed-glibc");
	classified_release(&c);
	builds_free(&b);
}

/* A host 2.36 ld.so with bullseye's libc.so.6 (the env method) segfaults:
 * the trace saw the two builds, so it is mixed-glibc, not a crash. */
static void trace_mixed_before_signal(void)
{
	struct builds b;
	TEST_VERIFY(builds_make(&b) == 0);
	struct proc_result r = exited(-1, "", "");
	r.signal = SIGSEGV;
	struct run_trace t = {.ld = b.ld, .libc = b.other_libc};
	struct classified c;
	classify_traced(&r, NULL, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "mixed-glibc");
	cleanup_free char *want = xasprintf("%s with %s: two glibc builds (then SIGSEGV; seen by "
					    "the loader's trace mode)", b.ld, b.other_libc);
	TEST_COMPARE_STRING(c.detail, want);
	TEST_COMPARE_STRING(c.ran_libc, b.other_libc);
	classified_release(&c);
	/* Exit 0 or a failure of its own: still two builds. */
	classify_traced(&(struct proc_result){.exit_code = 3, .out = (char *)"", .err = (char *)""},
			NULL, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "mixed-glibc");
	classified_release(&c);
	/* The loader's own refusal names what failed (the predictor's order). */
	classify_traced(&(struct proc_result){.exit_code = 1, .out = (char *)"",
					      .err = (char *)"./p: /s/libc.so.6: version `GLIBC_2.34' "
							     "not found (required by ./p)\n"},
			NULL, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "symbol-version");
	classified_release(&c);
	/* One build: the signal is the program's own. */
	t.libc = b.own_libc;
	classify_traced(&r, NULL, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "crash");
	classified_release(&c);
	builds_free(&b);
}

/* A probe a signal ended before its report (glibc 2.34's libc under the
 * host's 2.36 loader dies before main): the trace says where it ran.  One
 * that reported keeps its own words over the trace. */
static void probe_signal_before_report(void)
{
	struct builds b;
	TEST_VERIFY(builds_make(&b) == 0);
	struct proc_result r = exited(-1, "", "");
	r.signal = SIGSEGV;
	struct run_trace t = {.ld = b.ld, .libc = b.other_libc};
	struct run_expect e = {0};
	struct classified c;
	classify_traced(&r, &e, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "mixed-glibc");
	TEST_VERIFY(c.detail && strstr(c.detail, "seen by the loader's trace mode"));
	TEST_COMPARE_STRING(c.ran_libc, b.other_libc);
	classified_release(&c);
	cleanup_free char *out = xasprintf("glibc=2.36\nlibc=%s\nld=%s\n", b.own_libc, b.ld);
	r.out = out;
	classify_traced(&r, &e, &t, &c);
	TEST_COMPARE_STRING(gm_outcome_name(c.outcome), "crash");
	TEST_COMPARE_STRING(c.ran_libc, b.own_libc);
	classified_release(&c);
	builds_free(&b);
}

/* Captured traces: the kernel's PT_INTERP (env method) and an explicit
 * loader (loader method), which names its own file after "=>". */
static void trace_lines(void)
{
	static const char env[] =
		"\tlinux-vdso.so.1 (0x00007f66d0b4c000)\n"
		"\tlibstdc++.so.6 => /s/usr/lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f66d0977000)\n"
		"\tlibc.so.6 => /s/lib/x86_64-linux-gnu/libc.so.6 (0x00007f66d0789000)\n"
		"\t/lib64/ld-linux-x86-64.so.2 (0x00007f66d0b4e000)\n";
	static const char loader[] =
		"\tlibc.so.6 => /s/lib/x86_64-linux-gnu/libc.so.6 (0x00007f36c9881000)\n"
		"\t/lib64/ld-linux-x86-64.so.2 => /s/lib64/ld-linux-x86-64.so.2 (0x00007f36c9c4b000)";
	struct run_trace t;
	run_trace_parse(env, sizeof(env) - 1, &t);
	TEST_COMPARE_STRING(t.ld, "/lib64/ld-linux-x86-64.so.2");
	TEST_COMPARE_STRING(t.libc, "/s/lib/x86_64-linux-gnu/libc.so.6");
	run_trace_release(&t);
	run_trace_parse(loader, sizeof(loader) - 1, &t);
	TEST_COMPARE_STRING(t.ld, "/s/lib64/ld-linux-x86-64.so.2");
	TEST_COMPARE_STRING(t.libc, "/s/lib/x86_64-linux-gnu/libc.so.6");
	run_trace_release(&t);
	run_trace_parse("\tlibc.so.6 => not found\n", 24, &t);
	TEST_VERIFY(t.ld == NULL && t.libc == NULL);
	run_trace_release(&t);
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
	RUN_TEST(protocol_for_probes_only);
	RUN_TEST(trace_mixed_before_signal);
	RUN_TEST(probe_signal_before_report);
	RUN_TEST(trace_lines);
	TAP_END();
}
