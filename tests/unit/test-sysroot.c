/* The manifest round-trips, and a damaged one gives an error naming it. */
#include "store/sysroot.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <unistd.h>

static char top[] = "/tmp/gm-sysroot-XXXXXX";
static char *dir; /* top/glibc-2.42: a manifest's name must be its directory's */

static void roundtrip(void)
{
	struct sysroot s = {0}, t;
	s.name = "glibc-2.42";
	s.glibc_version = "2.42";
	s.arch = "x86_64";
	s.origin = ORIGIN_SOURCE;
	s.prefix = dir;
	char *loader = path_join(dir, "lib/ld-linux-x86-64.so.2");
	char *lib = path_join(dir, "lib");
	s.loader = loader;
	char *libdirs[] = {lib, NULL};
	char *args[] = {"--disable-werror", "CXX=", NULL};
	s.libdirs = libdirs;
	s.configure_args = args;
	s.cache_key = "abc";
	TEST_COMPARE(sysroot_write(dir, &s, NULL), 0);
	TEST_COMPARE(sysroot_read(dir, &t, NULL), 0);
	TEST_COMPARE_STRING(t.name, "glibc-2.42");
	TEST_COMPARE_STRING(t.loader, loader);
	TEST_COMPARE(strv_len(t.configure_args), 2);
	TEST_COMPARE_STRING(t.configure_args[1], "CXX=");
	TEST_COMPARE_STRING(t.libdirs[0], lib);
	TEST_COMPARE_STRING(t.compiler, ""); /* absent optional fields read as "" */
	TEST_COMPARE_STRING(t.dir, dir);
	TEST_COMPARE(t.origin, ORIGIN_SOURCE);
	TEST_VERIFY(!t.suite);
	sysroot_release(&t);
	/* The origin is an enum and a suite, written "debian:<suite>". */
	s.origin = ORIGIN_DEBIAN;
	s.suite = "bookworm";
	TEST_COMPARE(sysroot_write(dir, &s, NULL), 0);
	TEST_COMPARE(sysroot_read(dir, &t, NULL), 0);
	TEST_COMPARE(t.origin, ORIGIN_DEBIAN);
	TEST_COMPARE_STRING(t.suite, "bookworm");
	char *text = sysroot_origin_text(&t);
	TEST_COMPARE_STRING(text, "debian:bookworm");
	free(text);
	sysroot_release(&t);
	free(loader);
	free(lib);
}

static void damaged_manifest(void)
{
	struct sysroot t;
	struct gm_err *err = NULL;
	char *path = path_join(dir, SYSROOT_MANIFEST);
	TEST_COMPARE(write_file_atomic(path, "{\"name\": ", 9, 0644, NULL), 0);
	TEST_COMPARE(sysroot_read(dir, &t, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, path));
	gm_err_free(&err);
	TEST_COMPARE(write_file_atomic(path, "{\"name\": 3}", 11, 0644, NULL), 0);
	TEST_COMPARE(sysroot_read(dir, &t, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "'name'"));
	gm_err_free(&err);
	free(path);
	struct sysroot o = {0};
	TEST_COMPARE(sysroot_origin_parse("debian:", &o), -1);
	TEST_COMPARE(sysroot_origin_parse("ubuntu:noble", &o), -1);
	TEST_COMPARE(sysroot_origin_parse("rootfs", &o), 0);
	TEST_COMPARE(o.origin, ORIGIN_ROOTFS);
}

int main(void)
{
	if (!mkdtemp(top))
		return 99;
	dir = path_join(top, "glibc-2.42");
	if (mkdir_p(dir, 0755, NULL) < 0)
		return 99;
	RUN_TEST(roundtrip);
	RUN_TEST(damaged_manifest);
	rm_rf(top, NULL);
	free(dir);
	TAP_END();
}
