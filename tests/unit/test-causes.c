/* verdict/causes: the table's parser, first-match lookup and grouping. */
#include "verdict/causes.h"
#include "base/err.h"
#include "tap.h"

#include <stdlib.h>

static const char table[] =
	"# comment\n"
	"\n"
	"start\t__libc_start_main\tGLIBC_2.34\tcrt1.o\tbuild older\tpair hello@b hello@a a\n"
	"merge\tpthread_*,dl*\tGLIBC_2.34\tmerged\tbuild older\tpair threads@b threads@a a\n"
	"relr\t*\tGLIBC_ABI_DT_RELR\tpacked\tnopack\tpair relr@a relr-nopack@a a\n"
	"api\tstrlcpy\tGLIBC_*\tnew\tdlsym\tpair strlcpy@c strlcpy-dlsym@c b\n";

static void test_match(void)
{
	struct causes c;
	struct gm_err *err = NULL;
	TEST_COMPARE(causes_parse(table, "t.tsv", &c, &err), 0);
	TEST_COMPARE(c.n, 4);
	TEST_COMPARE_STRING(causes_match(&c, "GLIBC_2.34", "__libc_start_main")->id, "start");
	TEST_COMPARE_STRING(causes_match(&c, "GLIBC_2.34", "dlopen")->id, "merge");
	/* A node needed without a symbol matches only a "*" row. */
	TEST_COMPARE_STRING(causes_match(&c, "GLIBC_ABI_DT_RELR", NULL)->id, "relr");
	TEST_VERIFY(causes_match(&c, "GLIBC_2.34", NULL) == NULL);
	/* GLIBC_* is not GLIBCXX_*. */
	TEST_COMPARE_STRING(causes_match(&c, "GLIBC_2.38", "strlcpy")->id, "api");
	TEST_VERIFY(causes_match(&c, "GLIBCXX_3.4.29", "strlcpy") == NULL);
	TEST_VERIFY(causes_match(&c, "GLIBC_2.33", "stat") == NULL);
	causes_release(&c);
}

static void test_group(void)
{
	struct causes c;
	struct gm_err *err = NULL;
	TEST_COMPARE(causes_parse(table, "t.tsv", &c, &err), 0);
	char *syms[] = {"pthread_create", "__libc_start_main", "dlopen", "frob", NULL};
	struct cause_group *g;
	size_t n = causes_group(&c, "GLIBC_2.34", syms, &g);
	TEST_COMPARE(n, 3);
	TEST_COMPARE_STRING(g[0].cause->id, "merge");
	TEST_COMPARE_STRING(g[0].symbols[1], "dlopen");
	TEST_COMPARE_STRING(g[1].cause->id, "start");
	TEST_VERIFY(g[2].cause == NULL);
	TEST_COMPARE_STRING(g[2].symbols[0], "frob");
	cause_groups_free(g, n);
	/* No symbols: one group. */
	n = causes_group(&c, "GLIBC_ABI_DT_RELR", NULL, &g);
	TEST_COMPARE(n, 1);
	TEST_COMPARE_STRING(g[0].cause->id, "relr");
	TEST_VERIFY(g[0].symbols[0] == NULL);
	cause_groups_free(g, n);
	causes_release(&c);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"id\tsyms\tnode\tcause\tremedy\n",             /* 5 fields */
		"id\tsyms\tnode\tcause\tremedy\tproof\textra\n", /* 7 */
		"id\t\tnode\tcause\tremedy\tproof\n",           /* an empty one */
		NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		struct causes c;
		struct gm_err *err = NULL;
		TEST_COMPARE(causes_parse(bad[i], "bad.tsv", &c, &err), -1);
		TEST_VERIFY(err && strstr(err->msg, "bad.tsv:1:"));
		gm_err_free(&err);
	}
}

int main(void)
{
	RUN_TEST(test_match);
	RUN_TEST(test_group);
	RUN_TEST(test_malformed);
	TAP_END();
}
