/* Debian version ordering (dpkg --compare-versions) and the glibc upstream
 * version of libc6 packages. */
#include "acquire/debversion.h"
#include "tap.h"

#include <stdlib.h>

static int sign(int v)
{
	return v < 0 ? -1 : v > 0 ? 1 : 0;
}

/* Each pair is checked both ways, so the order is antisymmetric. */
static void check(const char *a, const char *b, int want)
{
	int got = sign(debversion_cmp(a, b)), back = sign(debversion_cmp(b, a));
	if (got != want || back != -want) {
		printf("# cmp(%s, %s) = %d, reverse %d, want %d\n", a, b, got, back, want);
		tap_failed_here = 1;
	}
}

static void test_equal(void)
{
	check("2.36-9", "2.36-9", 0);
	check("0:2.36-9", "2.36-9", 0);   /* missing epoch is 0 */
	check("1.0", "1.0-", 0);          /* empty revision */
	check("2.036", "2.36", 0);        /* leading zeros in numbers */
}

static void test_numbers(void)
{
	check("2.36-9+deb12u13", "2.36-9+deb12u14", -1);
	check("2.36-9+deb12u9", "2.36-9+deb12u10", -1); /* numeric, not textual */
	check("2.31-13+deb11u11", "2.36-9", -1);
	check("2.41-12+deb13u4", "2.41-12", 1);
	check("2.9", "2.10", -1);
}

static void test_epoch(void)
{
	check("1:2.0", "3.0", 1);
	check("1:2.0", "2:1.0", -1);
}

static void test_tilde(void)
{
	check("2.42~rc1-1", "2.42-1", -1);  /* '~' before the end */
	check("1.0~~", "1.0~", -1);
	check("1.0~", "1.0", -1);
	check("1.0", "1.0a", -1);           /* the end before letters */
	check("1.0a", "1.0+", -1);          /* letters before other characters */
	check("2.41-12~bpo1", "2.41-12", -1);
}

static void test_revision(void)
{
	check("2.36-9", "2.36-10", -1);
	check("1.0-1", "1.0", 1);
	/* The last hyphen splits upstream and revision. */
	check("1.2-3-4", "1.2-3-5", -1);
}

static void upstream(const char *v, const char *want)
{
	char *got = debversion_glibc_upstream(v);
	if (want)
		TEST_COMPARE_STRING(got, want);
	else
		TEST_VERIFY(got == NULL);
	free(got);
}

static void test_upstream(void)
{
	upstream("2.36-9+deb12u14", "2.36");
	upstream("2.41-12+deb13u4", "2.41");
	upstream("2.31-13+deb11u11", "2.31");
	upstream("1:2.41-12", "2.41");
	upstream("2.42~rc1-1", "2.42");
	upstream("2.43-7", "2.43");
	upstream("2.36.1-1", "2.36");
	upstream("2.36", "2.36");
	upstream("garbage", NULL);
	upstream("2-1", NULL);
	upstream("", NULL);
}

int main(void)
{
	RUN_TEST(test_equal);
	RUN_TEST(test_numbers);
	RUN_TEST(test_epoch);
	RUN_TEST(test_tilde);
	RUN_TEST(test_revision);
	RUN_TEST(test_upstream);
	TAP_END();
}
