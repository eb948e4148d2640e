/* container/batch: gm-batch's framed records parsed by length, so a
 * program's NUL bytes are kept and nothing reads past a capture. */
#include "container/batch.h"
#include "base/utf8.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Two records and the end, as gm-batch writes them; the first program
 * printed "a", NUL, "b", a byte that is not UTF-8 and "z\n", and "e", NUL,
 * "f" on stderr. */
static const char stream[] =
	"gm-batch: 0 exit 0 signal 0 timeout 0 execerr 0 out 6 err 3\n"
	"a\0b\xFFz\n"
	"e\0f"
	"gm-batch: 1 exit 3 signal 0 timeout 0 execerr 0 out 2 err 0\n"
	"ok"
	"gm-batch: end 0\n";

static void test_nul_kept_by_length(void)
{
	struct batch_prog progs[2] = {{0}};
	struct batch_spec spec = {.progs = progs, .n = 2};
	batch_parse(&spec, stream, sizeof(stream) - 1);
	TEST_VERIFY(progs[0].ran);
	TEST_COMPARE(progs[0].out_len, 6);
	TEST_VERIFY(memcmp(progs[0].out, "a\0b\xFFz\n", 7) == 0); /* and its terminator */
	TEST_COMPARE(progs[0].err_len, 3);
	TEST_VERIFY(memcmp(progs[0].err, "e\0f", 4) == 0);
	/* What results.json keeps: every byte, the NUL as it is. */
	size_t n;
	char *x = utf8_excerpt(progs[0].out, progs[0].out_len, 2000, &n);
	TEST_COMPARE(n, 9);
	TEST_VERIFY(memcmp(x, "a\0b\\xFFz\n", 9) == 0);
	free(x);
	/* The record after it is found where the lengths say. */
	TEST_VERIFY(progs[1].ran);
	TEST_COMPARE(progs[1].exit_code, 3);
	TEST_COMPARE(progs[1].out_len, 2);
	TEST_COMPARE_STRING(progs[1].out, "ok");
	batch_prog_release(&progs[0]);
	batch_prog_release(&progs[1]);
}

static void test_truncated_record_ignored(void)
{
	struct batch_prog progs[1] = {{0}};
	struct batch_spec spec = {.progs = progs, .n = 1};
	static const char cut[] = "gm-batch: 0 exit 0 signal 0 timeout 0 execerr 0 out 9 err 0\nab";
	batch_parse(&spec, cut, sizeof(cut) - 1);
	TEST_VERIFY(!progs[0].ran);
	TEST_VERIFY(progs[0].out == NULL);
}

int main(void)
{
	RUN_TEST(test_nul_kept_by_length);
	RUN_TEST(test_truncated_record_ignored);
	TAP_END();
}
