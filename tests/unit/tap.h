/* A small TAP producer for the C unit tests (glibc's support/check.h and
 * crun's tests, reduced).  TEST_* macros print the expression and both
 * values on failure and let the test continue; RUN_TEST runs one function
 * as one TAP test point. */
#ifndef GM_TAP_H
#define GM_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_failed_here, tap_count, tap_failures;

#define TEST_VERIFY(expr)                                                          \
	do {                                                                       \
		if (!(expr)) {                                                     \
			printf("# %s:%d: not true: %s\n", __FILE__, __LINE__, #expr); \
			tap_failed_here = 1;                                       \
		}                                                                  \
	} while (0)

#define TEST_COMPARE(a, b)                                                              \
	do {                                                                            \
		long long va_ = (long long)(a), vb_ = (long long)(b);                   \
		if (va_ != vb_) {                                                       \
			printf("# %s:%d: %s == %s: %lld != %lld\n", __FILE__, __LINE__, #a, \
			       #b, va_, vb_);                                           \
			tap_failed_here = 1;                                            \
		}                                                                       \
	} while (0)

#define TEST_COMPARE_STRING(a, b)                                                         \
	do {                                                                              \
		const char *sa_ = (a), *sb_ = (b);                                        \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                              \
			printf("# %s:%d: %s == %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
			       #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");       \
			tap_failed_here = 1;                                              \
		}                                                                         \
	} while (0)

#define RUN_TEST(fn)                                                          \
	do {                                                                  \
		tap_failed_here = 0;                                          \
		fn();                                                         \
		tap_count++;                                                  \
		if (tap_failed_here)                                          \
			tap_failures++;                                       \
		printf("%s %d - %s\n", tap_failed_here ? "not ok" : "ok", tap_count, #fn); \
	} while (0)

/* Runs fn as one test point, like RUN_TEST; when it fails the later points
 * cannot run (fn made what they need), so the test ends there, failing,
 * with a plan that matches what it printed. */
#define RUN_SETUP(fn)                      \
	do {                               \
		RUN_TEST(fn);              \
		if (tap_failed_here)       \
			TAP_END();         \
	} while (0)

#define TAP_END()                                \
	do {                                     \
		printf("1..%d\n", tap_count);    \
		return tap_failures ? 1 : 0;     \
	} while (0)

#endif
