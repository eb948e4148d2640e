/* The one reader of the project's tab-separated data files (base/tsv.h):
 * true line numbers, exact field counts, empty fields, one wording. */
#include "base/tsv.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

/* Rows and the line each was read on, until the end or an error. */
static void line_numbers_count_every_line(void)
{
	struct tsv t;
	struct gm_err *err = NULL;
	tsv_init(&t, "x.tsv", "# head\n\na\tb\n   # indented comment\n\t \nc\td\n\n\ne\n");
	TEST_COMPARE(tsv_next(&t, 2, 2, "one, two", &err), 1);
	TEST_COMPARE(t.line, 3);
	TEST_COMPARE_STRING(t.f[1], "b");
	TEST_COMPARE(tsv_next(&t, 2, 2, "one, two", &err), 1);
	TEST_COMPARE(t.line, 6);
	/* A bad row after blank lines: its own line, 9 (strtok over "\n"
	 * skipped the blank lines and said 7). */
	TEST_COMPARE(tsv_next(&t, 2, 2, "one, two", &err), -1);
	TEST_VERIFY(err && strcmp(err->msg, "x.tsv:9: want one, two (2 tab-separated fields, none "
					    "empty), found 1") == 0);
	TEST_COMPARE(err ? err->code : 0, GM_EXIT_INFRA);
	gm_err_free(&err);
	tsv_release(&t);
}

static void counts_and_empty_fields(void)
{
	struct tsv t;
	struct gm_err *err = NULL;
	/* Fields are trimmed; an optional last one is allowed by max. */
	tsv_init(&t, "y.tsv", " a \t b\nc\td\te\n");
	TEST_COMPARE(tsv_next(&t, 2, 3, "p, q, [r]", &err), 1);
	TEST_COMPARE(t.n, 2);
	TEST_COMPARE_STRING(t.f[0], "a");
	TEST_COMPARE(tsv_next(&t, 2, 3, "p, q, [r]", &err), 1);
	TEST_COMPARE(t.n, 3);
	TEST_COMPARE(tsv_next(&t, 2, 3, "p, q, [r]", &err), 0);
	tsv_release(&t);
	/* Two tabs make an empty field; too many fields are counted. */
	tsv_init(&t, "z.tsv", "a\t\tb\n");
	TEST_COMPARE(tsv_next(&t, 3, 3, "p, q, r", &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "z.tsv:1: ") && strstr(err->msg, "with an empty one"));
	gm_err_free(&err);
	tsv_release(&t);
	char *many = xstrdup("f");
	for (int i = 0; i < 20; i++) {
		char *m = xasprintf("%s\tf", many);
		free(many);
		many = m;
	}
	tsv_init(&t, "w.tsv", many);
	TEST_COMPARE(tsv_next(&t, 1, 2, "p, [q]", &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "found 21"));
	gm_err_free(&err);
	tsv_release(&t);
	free(many);
}

static void a_file_with_a_nul_is_refused(void)
{
	char path[] = "/tmp/gm-test-tsv-XXXXXX";
	int fd = mkstemp(path);
	TEST_VERIFY(fd >= 0);
	TEST_COMPARE(write(fd, "a\tb\0c\n", 6), 6);
	close(fd);
	struct tsv t;
	struct gm_err *err = NULL;
	TEST_COMPARE(tsv_open(&t, path, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "not a data file"));
	gm_err_free(&err);
	unlink(path);
}

int main(void)
{
	RUN_TEST(line_numbers_count_every_line);
	RUN_TEST(counts_and_empty_fields);
	RUN_TEST(a_file_with_a_nul_is_refused);
	TAP_END();
}
