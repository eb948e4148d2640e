/* Release and Packages parsing, and the in-root path helpers of the
 * importer, on hand-made text (the shapes are those of the real archive). */
#include "acquire/debimport.h"
#include "store/rootpath.h"
#include "base/arch.h"

#include <elf.h>
#include "acquire/debindex.h"
#include "tap.h"

#include <stdlib.h>

#define H1 "1c3405444297ead864711c18e64bce4810db63b48340a2f9d81182d9f235ad71"
#define H2 "c974c29a32187129bcd03242961dcdd1561f12e65c80dcfcb067054824225d80"
#define H3 "9E0B5AABB2465B3D2E7A7FE27F9913846277833F7A2826E7767ACCCFF5B588C5"

static const char release[] =
	"Origin: Debian\n"
	"Suite: stable\n"
	"Codename: bookworm\n"
	"Acquire-By-Hash: yes\n"
	"Architectures: all amd64 arm64\n"
	"MD5Sum:\n"
	" 3f295870f9fb53bfa40657056f49ab67  8065948 main/binary-amd64/Packages.xz\n"
	" c27590faf98410733488548345dd81c3 45561367 main/binary-amd64/Packages\n"
	"SHA256:\n"
	" " H2 " 45561367 main/binary-amd64/Packages\n"
	" " H1 "  8065948 main/binary-amd64/Packages.xz\n"
	" " H3 "  8790396 main/binary-arm64/Packages.xz\n"
	"Date: Sat, 10 Jan 2026 10:00:00 UTC\n";

static void test_release_sha256(void)
{
	char sha[65];
	unsigned long long size = 0;
	TEST_VERIFY(debindex_release_sha256(release, "main/binary-amd64/Packages.xz", sha, &size));
	TEST_COMPARE_STRING(sha, H1);
	TEST_COMPARE(size, 8065948);
	TEST_VERIFY(debindex_release_sha256(release, "main/binary-amd64/Packages", sha, NULL));
	TEST_COMPARE_STRING(sha, H2);
	/* Hashes come back lowercase. */
	TEST_VERIFY(debindex_release_sha256(release, "main/binary-arm64/Packages.xz", sha, NULL));
	TEST_COMPARE_STRING(sha, "9e0b5aabb2465b3d2e7a7fe27f9913846277833f7a2826e7767acccff5b588c5");
	/* Only in MD5Sum, or not at all: not found. */
	TEST_VERIFY(!debindex_release_sha256(release, "main/binary-riscv64/Packages.xz", sha, NULL));
	TEST_VERIFY(!debindex_release_sha256(release, "main/binary-amd64", sha, NULL));
	TEST_VERIFY(!debindex_release_sha256("", "x", sha, NULL));
}

static void test_release_fields(void)
{
	TEST_VERIFY(debindex_release_by_hash(release));
	TEST_VERIFY(!debindex_release_by_hash("Suite: x\n"));
	char *v = debindex_release_field(release, "Architectures");
	TEST_COMPARE_STRING(v, "all amd64 arm64");
	free(v);
	v = debindex_release_field(release, "codename"); /* case-insensitive */
	TEST_COMPARE_STRING(v, "bookworm");
	free(v);
	TEST_VERIFY(debindex_release_field(release, "Nope") == NULL);
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static const char packages[] =
	"Package: libc6\n"
	"Source: glibc\n"
	"Version: 2.36-9+deb12u13\n"
	"Architecture: amd64\n"
	"Description: GNU C Library: Shared libraries\n"
	" Package: not-a-field\n"
	"Filename: pool/main/g/glibc/libc6_2.36-9+deb12u13_amd64.deb\n"
	"Size: 2758096\n"
	"SHA256: " SHA_A "\n"
	"\n"
	"Package: libc6-dev\n"
	"Version: 2.36-9+deb12u14\n"
	"Architecture: amd64\n"
	"Filename: pool/main/g/glibc/libc6-dev_2.36-9+deb12u14_amd64.deb\n"
	"SHA256: " SHA_B "\n"
	"\n"
	"Package: libc6\n"
	"Version: 2.36-9+deb12u14\n"
	"Architecture: amd64\n"
	"Filename: pool/main/g/glibc/libc6_2.36-9+deb12u14_amd64.deb\n"
	"Size: 2758100\n"
	"SHA256: " SHA_B "\n"
	"\n"
	"Package: libc6\n"
	"Version: 2.36-9+deb12u10\n"
	"Architecture: amd64\n"
	"Filename: pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb\n"
	"SHA256: " SHA_C "\n"
	"\n"
	"Package: linux-libc-dev\n"
	"Version: 6.12.107-1\n"
	"Architecture: all\n"
	"Filename: pool/main/l/linux/linux-libc-dev_6.12.107-1_all.deb\n"
	"SHA256: " SHA_C "\n"
	"\n"
	"Package: libgcc-s1\n"
	"Version: 14.2.0-19\n"
	"Architecture: arm64\n"
	"Filename: pool/main/g/gcc-14/libgcc-s1_14.2.0-19_arm64.deb\n"
	"SHA256: " SHA_C "\n"
	"\n"
	"Package: broken\n"
	"Version: 1\n"
	"Filename: ../../etc/passwd\n"
	"SHA256: " SHA_C "\n";

static void test_find_highest(void)
{
	struct debpkg p = {0};
	TEST_VERIFY(debindex_find(packages, "libc6", "amd64", &p));
	TEST_COMPARE_STRING(p.version, "2.36-9+deb12u14");
	TEST_COMPARE_STRING(p.filename, "pool/main/g/glibc/libc6_2.36-9+deb12u14_amd64.deb");
	TEST_COMPARE_STRING(p.sha256, SHA_B);
	TEST_COMPARE(p.size, 2758100);
	debpkg_release(&p);
}

static void test_find_exact_name(void)
{
	struct debpkg p = {0};
	/* "libc6" must not match "libc6-dev", nor a Description line. */
	TEST_VERIFY(debindex_find(packages, "libc6-dev", "amd64", &p));
	TEST_COMPARE_STRING(p.package, "libc6-dev");
	debpkg_release(&p);
	TEST_VERIFY(!debindex_find(packages, "not-a-field", "amd64", &p));
	TEST_VERIFY(!debindex_find(packages, "libc", "amd64", &p));
}

static void test_find_arch(void)
{
	struct debpkg p = {0};
	TEST_VERIFY(debindex_find(packages, "linux-libc-dev", "riscv64", &p)); /* all */
	TEST_COMPARE_STRING(p.architecture, "all");
	debpkg_release(&p);
	TEST_VERIFY(!debindex_find(packages, "libgcc-s1", "amd64", &p));
	TEST_VERIFY(debindex_find(packages, "libgcc-s1", "arm64", &p));
	debpkg_release(&p);
}

static void test_find_rejects_bad_stanzas(void)
{
	struct debpkg p = {0};
	/* A Filename climbing out of the archive root is not a package. */
	TEST_VERIFY(!debindex_find(packages, "broken", "amd64", &p));
	TEST_VERIFY(!debindex_parse_stanza("Package: x\nVersion: 1\n", 22, &p));
	const char bad_hash[] = "Package: x\nVersion: 1\nFilename: pool/x.deb\nSHA256: 12\n";
	TEST_VERIFY(!debindex_parse_stanza(bad_hash, sizeof(bad_hash) - 1, &p));
	TEST_VERIFY(!debindex_find("", "libc6", "amd64", &p));
}

static void test_find_crlf_and_case(void)
{
	const char text[] = "package: libc6\r\nversion: 2.41-1\r\narchitecture: amd64\r\n"
			    "filename: pool/libc6.deb\r\nsha256: " SHA_A "\r\n";
	struct debpkg p = {0};
	TEST_VERIFY(debindex_parse_stanza(text, sizeof(text) - 1, &p));
	TEST_COMPARE_STRING(p.version, "2.41-1");
	TEST_COMPARE_STRING(p.filename, "pool/libc6.deb");
	debpkg_release(&p);
}

static void norm(const char *dir, const char *target, const char *want, bool want_esc)
{
	bool esc = !want_esc;
	char *got = rootpath_norm_target(dir, target, &esc);
	TEST_COMPARE_STRING(got, want);
	TEST_COMPARE(esc, want_esc);
	free(got);
}

static void test_norm_target(void)
{
	norm("lib64", "/lib/x86_64-linux-gnu/ld-2.31.so", "lib/x86_64-linux-gnu/ld-2.31.so", false);
	norm("usr/lib64", "../lib/x86_64-linux-gnu/ld.so", "usr/lib/x86_64-linux-gnu/ld.so", false);
	norm("lib", "../../../etc/passwd", "etc/passwd", true);
	norm("", "/", "", false);
	norm("a/b", "./c//d/.", "a/b/c/d", false);
}

static void rel(const char *from, const char *to, const char *want)
{
	char *got = rootpath_rel(from, to);
	TEST_COMPARE_STRING(got, want);
	free(got);
}

static void test_relpath(void)
{
	rel("lib64", "lib/x86_64-linux-gnu/ld-2.31.so", "../lib/x86_64-linux-gnu/ld-2.31.so");
	rel("usr/lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu/libm.so.6", "libm.so.6");
	rel("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu/libm.so.6",
	    "../../../lib/x86_64-linux-gnu/libm.so.6");
	rel("", "etc/passwd", "etc/passwd");
	rel("a/b", "a", "..");
	rel("a", "a", ".");
}

static void test_host_and_arches(void)
{
	TEST_COMPARE_STRING(arch_by_deb("amd64")->gnu, "x86_64");
	TEST_COMPARE_STRING(arch_by_deb("arm64")->gnu, "aarch64");
	TEST_COMPARE_STRING(arch_by_deb("riscv64")->triplet, "riscv64-linux-gnu");
	TEST_COMPARE_STRING(arch_by_gnu("aarch64")->loader, "ld-linux-aarch64.so.1");
	TEST_COMPARE_STRING(arch_by_machine(EM_RISCV, ELFCLASS64)->qemu, "qemu-riscv64-static");
	TEST_VERIFY(arch_by_deb("i386") && !arch_by_deb("i386")->proven);
	TEST_VERIFY(arch_by_deb("mips64el") == NULL);
	TEST_VERIFY(arch_by_gnu("sparc64") == NULL);
	TEST_VERIFY(arch_host() != NULL);
	TEST_VERIFY(debimport_suite_valid("bookworm"));
	TEST_VERIFY(debimport_suite_valid("bookworm-backports"));
	TEST_VERIFY(!debimport_suite_valid("Bookworm"));
	TEST_VERIFY(!debimport_suite_valid("../x"));
	TEST_VERIFY(!debimport_suite_valid(""));
	TEST_VERIFY(!debimport_suite_valid("-x"));
}

static void test_depends(void)
{
	char ***c = debindex_depends("gcc-12-base (= 12.2.0-14), libc6 (>= 2.36), "
				     "libgcc-s1:any (>= 4.2) | libgcc1 [amd64] ,  ,zlib1g <!nocheck>");
	TEST_VERIFY(c[0] && c[1] && c[2] && c[3] && !c[4]);
	TEST_COMPARE_STRING(c[0][0], "gcc-12-base");
	TEST_VERIFY(!c[0][1]);
	TEST_COMPARE_STRING(c[1][0], "libc6");
	TEST_COMPARE_STRING(c[2][0], "libgcc-s1");
	TEST_COMPARE_STRING(c[2][1], "libgcc1");
	TEST_VERIFY(!c[2][2]);
	TEST_COMPARE_STRING(c[3][0], "zlib1g");
	debindex_depends_free(c);
	c = debindex_depends("");
	TEST_VERIFY(!c[0]);
	debindex_depends_free(c);
}

static void test_stanza_dependency_fields(void)
{
	static const char st[] =
		"Package: libstdc++6\n"
		"Architecture: amd64\n"
		"Version: 12.2.0-14\n"
		"Multi-Arch: same\n"
		"Pre-Depends: libc6 (>= 2.4)\n"
		"Section: libs\n"
		"Depends: gcc-12-base (= 12.2.0-14), libgcc-s1 (>= 4.2)\n"
		"Filename: pool/main/g/gcc-12/libstdc++6_12.2.0-14_amd64.deb\n"
		"SHA256: " H1 "\n";
	struct debpkg d;
	TEST_VERIFY(debindex_parse_stanza(st, sizeof(st) - 1, &d));
	TEST_COMPARE_STRING(d.depends, "libc6 (>= 2.4), gcc-12-base (= 12.2.0-14), libgcc-s1 (>= 4.2)");
	TEST_VERIFY(debpkg_is_runtime_library(&d));
	free(d.section);
	d.section = strdup("libdevel");
	TEST_VERIFY(!debpkg_is_runtime_library(&d));
	free(d.section);
	d.section = strdup("non-free/libs");
	TEST_VERIFY(debpkg_is_runtime_library(&d));
	free(d.multi_arch);
	d.multi_arch = strdup("foreign");
	TEST_VERIFY(!debpkg_is_runtime_library(&d));
	debpkg_release(&d);
}

int main(void)
{
	RUN_TEST(test_depends);
	RUN_TEST(test_stanza_dependency_fields);
	RUN_TEST(test_release_sha256);
	RUN_TEST(test_release_fields);
	RUN_TEST(test_find_highest);
	RUN_TEST(test_find_exact_name);
	RUN_TEST(test_find_arch);
	RUN_TEST(test_find_rejects_bad_stanzas);
	RUN_TEST(test_find_crlf_and_case);
	RUN_TEST(test_norm_target);
	RUN_TEST(test_relpath);
	RUN_TEST(test_host_and_arches);
	TAP_END();
}
