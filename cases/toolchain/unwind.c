/* Boundary: the unwinder.  GCC >= 12's libgcc_eh.a, built for glibc >=
 * 2.35, looks up unwind tables with _dl_find_object@GLIBC_2.35 instead of
 * dl_iterate_phdr.  Linked with -static-libgcc, walking the stack with
 * _Unwind_Backtrace puts that unwinder in the executable, so the binary
 * needs GLIBC_2.35 whatever glibc it was built against: the dependency
 * comes from the toolchain, not from the sysroot (against glibc < 2.35 the
 * link fails with an undefined _dl_find_object). */
#include "../common/probe.h"

#include <unwind.h>

static _Unwind_Reason_Code count_frame(struct _Unwind_Context *ctx, void *arg)
{
	int *frames = (int *)arg;

	if (_Unwind_GetIP(ctx) != 0)
		(*frames)++;
	return _URC_NO_REASON;
}

static int frames;

static volatile int step = 1;

/* The volatile read after the call keeps GCC from turning the recursion
 * into a loop, so each level keeps its frame. */
static int __attribute__((noinline)) walk(int depth)
{
	if (depth > 0) {
		int below = walk(depth - 1);
		return below + step;
	}
	_Unwind_Backtrace(count_frame, &frames);
	return 0;
}

int main(void)
{
	volatile int depth = 4;

	probe_report();
	if (walk(depth) != 4)
		probe_fail("recursion returned the wrong depth");
	probe_kv("frames", "%d", frames);
	/* walk() five times and main() at least */
	if (frames < 6)
		probe_fail("_Unwind_Backtrace saw %d frames, expected at least 6", frames);
	probe_kv("result", "unwound");
	return 0;
}
