/* Build quirks are data; their conditions and errors are checked here. */
#include "store/recipes.h"
#include "base/util.h"
#include "tap.h"

static const char quirks[] = "# comment\n"
			     "*\tconfigure-arg\t--disable-werror\n"
			     "*\tstub-manual\n"
			     "<2.32\terrno-texi\n"
			     "<host\tconfigure-arg\tCXX=\n"
			     ">=2.40\tconfigure-arg\t--enable-new\n";

static void old_version_gets_everything_old(void)
{
	struct quirks q;
	TEST_COMPARE(quirks_parse(quirks, "q", "2.31", "2.36", &q, NULL), 0);
	TEST_VERIFY(q.stub_manual);
	TEST_VERIFY(q.errno_texi);
	TEST_VERIFY(strv_contains(q.configure_args, "--disable-werror"));
	TEST_VERIFY(strv_contains(q.configure_args, "CXX="));
	TEST_VERIFY(!strv_contains(q.configure_args, "--enable-new"));
	TEST_COMPARE(strv_len(q.applied), 4);
	quirks_release(&q);
}

static void new_version_keeps_cxx(void)
{
	struct quirks q;
	TEST_COMPARE(quirks_parse(quirks, "q", "2.42", "2.36", &q, NULL), 0);
	TEST_VERIFY(!q.errno_texi);
	TEST_VERIFY(!strv_contains(q.configure_args, "CXX="));
	TEST_VERIFY(strv_contains(q.configure_args, "--enable-new"));
	quirks_release(&q);
	/* The host's own version is not older than itself. */
	TEST_COMPARE(quirks_parse(quirks, "q", "2.36", "2.36", &q, NULL), 0);
	TEST_VERIFY(!strv_contains(q.configure_args, "CXX="));
	quirks_release(&q);
}

static void bad_lines_name_file_and_line(void)
{
	struct quirks q;
	struct gm_err *err = NULL;
	TEST_COMPARE(quirks_parse("*\tstub-manual\n~2.3\terrno-texi\n", "quirks.tsv", "2.31",
				  "2.36", &q, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "quirks.tsv:2: bad condition '~2.3'"));
	gm_err_free(&err);
	TEST_COMPARE(quirks_parse("*\tfrobnicate\n", "quirks.tsv", "2.31", "2.36", &q, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "frobnicate"));
	gm_err_free(&err);
	TEST_COMPARE(quirks_parse("*\tconfigure-arg\n", "quirks.tsv", "2.31", "2.36", &q, &err), -1);
	gm_err_free(&err);
	/* Blanks do not separate fields: one reader, tabs only. */
	TEST_COMPARE(quirks_parse("*   stub-manual\n", "quirks.tsv", "2.31", "2.36", &q, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "quirks.tsv:1: want when, action, [arguments] (2 to 5 "
					  "tab-separated fields, none empty), found 1"));
	gm_err_free(&err);
}

/* replace: three arguments, a path that stays inside the tree, applied
 * only where its condition holds, recorded whole in applied (the cache
 * key). */
static void replace_rows(void)
{
	static const char text[] = "<2.20\treplace\tconfigure\t3.[89]*)\t3.[89]* | [4-9].*)\n";
	struct quirks q;
	struct gm_err *err = NULL;
	TEST_COMPARE(quirks_parse(text, "q", "2.17", "2.36", &q, NULL), 0);
	TEST_COMPARE(q.n_replace, 1);
	if (q.n_replace == 1) {
		TEST_COMPARE_STRING(q.replace[0].file, "configure");
		TEST_COMPARE_STRING(q.replace[0].old, "3.[89]*)");
		TEST_COMPARE_STRING(q.replace[0].new_text, "3.[89]* | [4-9].*)");
	}
	TEST_VERIFY(strv_contains(q.applied, "<2.20 replace configure 3.[89]*) 3.[89]* | [4-9].*)"));
	quirks_release(&q);
	TEST_COMPARE(quirks_parse(text, "q", "2.28", "2.36", &q, NULL), 0);
	TEST_COMPARE(q.n_replace, 0);
	TEST_COMPARE(strv_len(q.applied), 0);
	quirks_release(&q);
	static const char *const bad[] = {"*\treplace\t../x\ta\tb\n", "*\treplace\t/etc/x\ta\tb\n",
					  "*\treplace\tmisc/../../x\ta\tb\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TEST_COMPARE(quirks_parse(bad[i], "quirks.tsv", "2.17", "2.36", &q, &err), -1);
		TEST_VERIFY(err && strstr(err->msg, "not a relative path inside the source tree"));
		gm_err_free(&err);
	}
	/* A range: every condition joined by ',' holds. */
	static const char range[] = ">=2.18,<2.28\tconfigure-arg\tCFLAGS=-fcommon\n";
	TEST_COMPARE(quirks_parse(range, "q", "2.27", "2.36", &q, NULL), 0);
	TEST_VERIFY(strv_contains(q.configure_args, "CFLAGS=-fcommon"));
	quirks_release(&q);
	const char *outside[] = {"2.17", "2.28"};
	for (size_t i = 0; i < 2; i++) {
		TEST_COMPARE(quirks_parse(range, "q", outside[i], "2.36", &q, NULL), 0);
		TEST_COMPARE(strv_len(q.configure_args), 0);
		quirks_release(&q);
	}
	static const char *const bad_when[] = {">=2.18,\tstub-manual\n", ",<2.28\tstub-manual\n",
					       ">=2.18,,<2.28\tstub-manual\n", ">=2.18,~2\tstub-manual\n"};
	for (size_t i = 0; i < sizeof(bad_when) / sizeof(bad_when[0]); i++) {
		TEST_COMPARE(quirks_parse(bad_when[i], "quirks.tsv", "2.17", "2.36", &q, &err), -1);
		TEST_VERIFY(err && strstr(err->msg, "bad condition"));
		gm_err_free(&err);
	}
	TEST_COMPARE(quirks_parse("*\treplace\tconfigure\ta\n", "quirks.tsv", "2.17", "2.36", &q, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "unknown action 'replace' or wrong arguments"));
	gm_err_free(&err);
}

/* versions.tsv: blank and comment lines count in the line numbers of
 * errors (they did not when lines were split with strtok_r). */
static void versions_lines(void)
{
	static const char hex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *text = xasprintf("# comment\n\n2.31\t%s\tgnu/glibc-2.31.tar.xz\n\n2.x\t%s\tp\n", hex, hex);
	struct recipe *v = NULL;
	size_t n = 0;
	struct gm_err *err = NULL;
	TEST_COMPARE(recipes_versions_parse(text, "v.tsv", &v, &n, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "v.tsv:5: '2.x' is not a glibc version"));
	gm_err_free(&err);
	free(text);
	text = xasprintf("# comment\n\n2.31\t%s\tgnu/glibc-2.31.tar.xz\n", hex);
	TEST_COMPARE(recipes_versions_parse(text, "v.tsv", &v, &n, &err), 0);
	TEST_COMPARE(n, 1);
	if (n == 1) {
		TEST_COMPARE_STRING(v[0].version, "2.31");
		TEST_COMPARE_STRING(v[0].path, "gnu/glibc-2.31.tar.xz");
		TEST_VERIFY(!v[0].local);
	}
	recipes_free(v, n);
	free(text);
	/* A bare file name: a tarball in the local glibc source directory. */
	text = xasprintf("2.28\t%s\tglibc-2.28.tar.xz\n", hex);
	TEST_COMPARE(recipes_versions_parse(text, "v.tsv", &v, &n, &err), 0);
	TEST_COMPARE(n, 1);
	if (n == 1)
		TEST_VERIFY(v[0].local);
	recipes_free(v, n);
	free(text);
	text = xasprintf("2.28\t%s\t..\n", hex);
	TEST_COMPARE(recipes_versions_parse(text, "v.tsv", &v, &n, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "v.tsv:1: '..' is neither"));
	gm_err_free(&err);
	free(text);
}

static void version_compare(void)
{
	TEST_VERIFY(version_cmp("2.31", "2.36") < 0);
	TEST_VERIFY(version_cmp("2.9", "2.10") < 0);
	TEST_VERIFY(version_cmp("2.36", "2.36") == 0);
	TEST_VERIFY(version_cmp("2.36.1", "2.36") > 0);
	TEST_VERIFY(version_valid("2.42"));
	TEST_VERIFY(version_valid("2.42.9000"));
	TEST_VERIFY(!version_valid("2"));
	TEST_VERIFY(!version_valid("2.x"));
	TEST_VERIFY(!version_valid("../2.31"));
	TEST_VERIFY(!version_valid("2.31."));
}

int main(void)
{
	RUN_TEST(old_version_gets_everything_old);
	RUN_TEST(new_version_keeps_cxx);
	RUN_TEST(bad_lines_name_file_and_line);
	RUN_TEST(replace_rows);
	RUN_TEST(version_compare);
	RUN_TEST(versions_lines);
	TAP_END();
}
