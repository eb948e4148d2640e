/* The runtime's message when a confined hook's write was refused
 * (oci_hook_wrote_host): the path as each kind of program names it, inside
 * runc's quoting.  The confinement itself: test-proc, 096-confine.bats. */
#include "container/oci.h"
#include "tap.h"

#include <stdlib.h>

static void expect(const char *msg, const char *want)
{
	char *got = oci_hook_wrote_host(msg);
	if (!want)
		TEST_VERIFY(!got);
	else
		TEST_COMPARE_STRING(got, want);
	free(got);
}

static void paths_named(void)
{
	/* dash, as runc passes it on (escaped newline). */
	expect("msg=\"runc run failed: error running hook #0: error running hook: exit status 2, "
	       "stdout: , stderr: /h: 5: cannot create /proc/9/root/var/tmp/x: Read-only file "
	       "system\\n\"",
	       "/proc/9/root/var/tmp/x");
	/* coreutils quote the path; bash says "line N". */
	expect("error running hook: stderr: cp: cannot create regular file '/usr/lib/libc.so.6': "
	       "Read-only file system", "/usr/lib/libc.so.6");
	expect("error running hook: stderr: /h: line 3: /etc/x: Read-only file system", "/etc/x");
	/* Python names it after, in quotes that runc escapes when they are double. */
	expect("error running hook: stderr: OSError: [Errno 30] Read-only file system: '/var/tmp/y'",
	       "/var/tmp/y");
	expect("error running hook: stderr: Read-only file system: \\\"/var/tmp/z\\\"", "/var/tmp/z");
}

static void path_unknown_or_no_write(void)
{
	expect("error running hook: stderr: write error: Read-only file system", "");
	/* Not a hook's: the runtime's own failure. */
	expect("mkdir /run/runc/gm-1-1: read-only file system", NULL);
	expect("error running hook: stderr: failing-hook: refusing on purpose", NULL);
}

int main(void)
{
	RUN_TEST(paths_named);
	RUN_TEST(path_unknown_or_no_write);
	TAP_END();
}
