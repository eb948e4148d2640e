/* predict_process follows the loader's search order: DT_RPATH before the
 * library path, the library path before DT_RUNPATH, $ORIGIN expanded, a
 * library of another machine skipped.  Each case is built here with the
 * host's gcc, predicted, and then run by the real loader: the prediction
 * must be what the loader does, not only what this file expects. */
#define _GNU_SOURCE
#include "verdict/predict.h"
#include "elf/elfinfo.h"
#include "exec/proc.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <unistd.h>

#define HOST_LIBC "/lib/x86_64-linux-gnu"

static char dir[] = "/tmp/gm-predict-XXXXXX";
static bool have_gcc;

static char *at(const char *rel)
{
	return path_join(dir, rel);
}

static char *parent_of(const char *path)
{
	char *copy = xstrdup(path);
	char *r = xstrdup(dirname(copy));
	free(copy);
	return r;
}

/* Runs argv (env: NULL-terminated "K=V" list or NULL); returns the exit
 * code, -1 when it did not exit normally. */
static int run_env(char **argv, char **env, char **out)
{
	struct proc_spec spec = {.argv = argv, .env = env, .timeout_s = 60,
				 .capture_max = 1 << 16, .merge_stderr = true,
				 .log_fd = -1, .stdin_fd = -1};
	struct proc_result r;
	if (proc_run(&spec, &r, NULL) < 0)
		return -1;
	int code = r.exit_code;
	if (out)
		*out = xstrdup(r.out ? r.out : "");
	else if (code != 0)
		printf("# %s: %s", argv[0], r.out ? r.out : "");
	proc_result_release(&r);
	return code;
}

static void write_text(const char *rel, const char *text)
{
	cleanup_free char *p = at(rel);
	TEST_COMPARE(write_file_atomic(p, text, strlen(text), 0644, NULL), 0);
}

static void cc(const char *src, const char *out, const char *extra1, const char *extra2,
	       const char *extra3)
{
	cleanup_free char *s = at(src), *o = at(out);
	cleanup_free char *d = parent_of(o);
	mkdir_p(d, 0755, NULL);
	char *argv[] = {"gcc", "-o", o, s, (char *)extra1, (char *)extra2, (char *)extra3, NULL};
	TEST_COMPARE(run_env(argv, NULL, NULL), 0);
}

static void copy_to(const char *from, const char *to)
{
	cleanup_free char *f = at(from), *t = at(to);
	cleanup_free char *d = parent_of(t);
	mkdir_p(d, 0755, NULL);
	TEST_COMPARE(copy_file(f, t, NULL), 0);
}

/* libx.so: X_1 {x_old} in the old build, X_1 + X_2 {x_new} in the new;
 * main calls x_new, so it needs X_2. */
static void build_fixtures(void)
{
	write_text("x1.map", "X_1 { global: x_old; local: *; };\n");
	write_text("x2.map", "X_1 { global: x_old; local: *; };\nX_2 { global: x_new; } X_1;\n");
	write_text("x1.c", "int x_old(void) { return 1; }\n");
	write_text("x2.c", "int x_old(void) { return 1; }\nint x_new(void) { return 2; }\n");
	write_text("main.c", "int x_new(void);\nint main(void) { return x_new() == 2 ? 0 : 1; }\n");
	cleanup_free char *m1 = at("x1.map"), *m2 = at("x2.map"), *a = at("a"), *b = at("b");
	cleanup_free char *v1 = xasprintf("-Wl,--version-script=%s,-soname,libx.so", m1);
	cleanup_free char *v2 = xasprintf("-Wl,--version-script=%s,-soname,libx.so", m2);
	cc("x1.c", "a/libx.so", "-shared", "-fPIC", v1);
	cc("x2.c", "b/libx.so", "-shared", "-fPIC", v2);
	cleanup_free char *lb = xasprintf("-L%s", b);
	cleanup_free char *rp = xasprintf("-Wl,-rpath,%s,--disable-new-dtags", a);
	cleanup_free char *rn = xasprintf("-Wl,-rpath,%s,--enable-new-dtags", a);
	cc("main.c", "main-rpath", lb, "-lx", rp);
	cc("main.c", "main-runpath", lb, "-lx", rn);
	cc("main.c", "o/bin/main-origin", lb, "-lx", "-Wl,-rpath,$ORIGIN/../lib,--enable-new-dtags");
	copy_to("b/libx.so", "o/lib/libx.so");
	/* The new libx, claiming to be AArch64: the loader must pass it by. */
	copy_to("b/libx.so", "m/libx.so");
	cleanup_free char *m = at("m/libx.so");
	int fd = open(m, O_WRONLY | O_CLOEXEC);
	unsigned char em[2] = {183, 0}; /* EM_AARCH64, little-endian e_machine */
	TEST_VERIFY(fd >= 0 && pwrite(fd, em, 2, 18) == 2);
	if (fd >= 0)
		close(fd);
}

/* Predicts binary with the host loader and library_path (':'-separated,
 * relative to the fixtures unless absolute, or NULL), runs it the same way,
 * and checks both against want.  A library path plays the sysroot, so it
 * ends with the host's libc directory: libc.so.6 from outside it would be
 * wrong-libc. */
static void case_(const char *binary, const char *library_path, enum gm_outcome want)
{
	cleanup_free char *bin = at(binary);
	char *sys[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", NULL};
	char **lp = NULL;
	if (library_path) {
		lp = xcalloc(5, sizeof(*lp));
		char *copy = xstrdup(library_path), *save = NULL, *tok;
		size_t n = 0;
		for (tok = strtok_r(copy, ":", &save); tok && n < 4; tok = strtok_r(NULL, ":", &save))
			lp[n++] = tok[0] == '/' ? xstrdup(tok) : at(tok);
		free(copy);
	}
	struct predict_env env = {.interp = "/lib64/ld-linux-x86-64.so.2", .library_path = lp,
				  .system_dirs = sys};
	struct gm_prediction p = {0};
	struct gm_err *err = NULL;
	TEST_COMPARE(predict_process(bin, &env, &p, &err), 0);
	if (p.outcome != want)
		printf("# %s with [%s]: predicted %s (%s)\n", binary, library_path ? library_path : "",
		       gm_outcome_name(p.outcome), p.detail ? p.detail : "");
	TEST_COMPARE(p.outcome, want);
	prediction_release(&p);
	gm_err_free(&err);

	/* The real loader, by the explicit-loader method with the same path. */
	cleanup_free char *joined = xstrdup("");
	for (size_t i = 0; lp && lp[i]; i++) {
		char *next = xasprintf("%s%s%s", joined, i ? ":" : "", lp[i]);
		free(joined);
		joined = next;
	}
	char *argv[] = {"/lib64/ld-linux-x86-64.so.2", "--library-path", joined, bin, NULL};
	cleanup_free char *out = NULL;
	int code = run_env(argv, NULL, &out);
	bool loaded = code == 0;
	if (loaded != (want == GM_OK))
		printf("# the real loader: exit %d: %s", code, out);
	TEST_COMPARE(loaded, want == GM_OK);
	if (want == GM_SYMBOL_VERSION)
		TEST_VERIFY(strstr(out, "version `X_2' not found"));
	if (want == GM_MISSING_LIBRARY)
		TEST_VERIFY(strstr(out, "libx.so: cannot open shared object file"));
	strv_free(lp);
}

static void rpath_before_library_path(void)
{
	/* DT_RPATH (a/, the old libx) outranks --library-path (b/). */
	case_("main-rpath", "b:" HOST_LIBC, GM_SYMBOL_VERSION);
}

static void library_path_before_runpath(void)
{
	/* DT_RUNPATH (a/) comes after --library-path (b/, the new libx). */
	case_("main-runpath", "b:" HOST_LIBC, GM_OK);
	case_("main-runpath", NULL, GM_SYMBOL_VERSION);
}

static void origin_is_expanded(void)
{
	case_("o/bin/main-origin", NULL, GM_OK);
}

static void other_machine_is_skipped(void)
{
	/* m/libx.so is AArch64: passed by, b/libx.so is used. */
	case_("main-runpath", "m:b:" HOST_LIBC, GM_OK);
	/* Only the foreign one on the path, then RUNPATH's old libx. */
	case_("main-runpath", "m:" HOST_LIBC, GM_SYMBOL_VERSION);
}

static void missing_library(void)
{
	case_("o/bin/main-origin", NULL, GM_OK);
	cleanup_free char *lib = at("o/lib/libx.so");
	unlink(lib);
	case_("o/bin/main-origin", NULL, GM_MISSING_LIBRARY);
}

/* A static executable (and a static-pie one, which an explicit loader
 * runs the same way, and 2.31's segfaults on both) is not a subject of a
 * method that swaps the glibc: skipped, with check's reason; as it is, ok. */
static void static_not_applicable(void)
{
	write_text("static.c", "int main(void) { return 0; }\n");
	static const char *const kinds[][2] = {{"-static", "static"}, {"-static-pie", "static-pie"}};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *src = at("static.c"), *bin = at(kinds[i][1]);
		char *argv[] = {"gcc", (char *)kinds[i][0], "-o", bin, src, NULL};
		if (run_env(argv, NULL, NULL) != 0) {
			printf("# gcc %s does not link here (no libc.a)\n", kinds[i][0]);
			continue;
		}
		for (int swaps = 0; swaps < 2; swaps++) {
			struct predict_env env = {.interp = "/lib64/ld-linux-x86-64.so.2",
						  .swaps_glibc = swaps};
			struct gm_prediction p = {0};
			TEST_COMPARE(predict_process(bin, &env, &p, NULL), 0);
			TEST_COMPARE_STRING(gm_outcome_name(p.outcome), swaps ? "skipped" : "ok");
			if (swaps)
				TEST_COMPARE_STRING(p.detail, PREDICT_STATIC_SKIP);
			prediction_release(&p);
		}
	}
}

/* A PIE with a copy relocation (stdout) run by an explicit loader older
 * than 2.20 copies its own zeros (BZ #16381: glibc 2.17's ld.so crashes
 * the probes so); 2.20's, a PT_INTERP or a non-PIE program do not. */
static void explicit_pie_before_2_20(void)
{
	write_text("copy.c", "#include <stdio.h>\nint main(void) { return fflush(stdout); }\n");
	cc("copy.c", "copy-pie", "-fPIE", "-pie", NULL);
	cc("copy.c", "copy-nopie", "-fno-PIE", "-no-pie", NULL);
	cleanup_free char *pie = at("copy-pie"), *nopie = at("copy-nopie");
	struct elf_info in;
	TEST_COMPARE(elf_info_read(pie, &in, NULL), 1);
	TEST_VERIFY(in.copy_relocs);
	elf_info_release(&in);
	char *sys[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", NULL};
	const struct {
		const char *bin, *glibc;
		bool explicit_loader;
		enum gm_outcome want;
	} cases[] = {
		{pie, "2.17", true, GM_CRASH},  {pie, "2.20", true, GM_OK},
		{pie, "2.17", false, GM_OK},    {nopie, "2.17", true, GM_OK},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct predict_env env = {.interp = "/lib64/ld-linux-x86-64.so.2", .system_dirs = sys,
					  .interp_glibc = cases[i].glibc,
					  .explicit_loader = cases[i].explicit_loader};
		struct gm_prediction p = {0};
		TEST_COMPARE(predict_process(cases[i].bin, &env, &p, NULL), 0);
		TEST_COMPARE_STRING(gm_outcome_name(p.outcome), gm_outcome_name(cases[i].want));
		if (cases[i].want == GM_CRASH)
			TEST_VERIFY(p.detail && strstr(p.detail, "BZ #16381"));
		prediction_release(&p);
	}
}

int main(void)
{
	char *probe[] = {"gcc", "--version", NULL};
	cleanup_free char *ver = NULL;
	if (!mkdtemp(dir))
		return 99;
	have_gcc = run_env(probe, NULL, &ver) == 0;
	if (!have_gcc || access("/lib64/ld-linux-x86-64.so.2", X_OK) != 0) {
		printf("1..0 # SKIP needs gcc and an x86-64 host loader\n");
		return 0;
	}
	build_fixtures();
	RUN_TEST(rpath_before_library_path);
	RUN_TEST(library_path_before_runpath);
	RUN_TEST(origin_is_expanded);
	RUN_TEST(other_machine_is_skipped);
	RUN_TEST(missing_library);
	RUN_TEST(static_not_applicable);
	RUN_TEST(explicit_pie_before_2_20);
	rm_rf(dir, NULL);
	TAP_END();
}
