/* elf/floorgate: what is over a glibc limit and a manylinux profile, on
 * elf_info values made here (the bats suite 041-gate runs real files). */
#define _GNU_SOURCE
#include "elf/floorgate.h"
#include "base/err.h"
#include "tap.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *libc_start[] = {"__libc_start_main", NULL};
static char *stat_syms[] = {"fstat", "stat", NULL};
static char *cxx_syms[] = {"_ZSt28__throw_bad_array_new_lengthv", NULL};

static struct elf_vernode libc_nodes[] = {
	{.name = "GLIBC_2.2.5"},
	{.name = "GLIBC_2.33", .symbols = stat_syms},
	{.name = "GLIBC_2.34", .symbols = libc_start},
	{.name = "GLIBC_PRIVATE"},
	{.name = "GLIBC_ABI_DT_RELR"},
};
static struct elf_vernode cxx_nodes[] = {
	{.name = "GLIBCXX_3.4"},
	{.name = "GLIBCXX_3.4.29", .symbols = cxx_syms},
	{.name = "CXXABI_TM_1"},
	{.name = "CXXABI_FLOAT128"},
};
static struct elf_vernode other_nodes[] = {
	{.name = "LIBATOMIC_1.0"},
	{.name = "ZLIB_1.2.5.2"},
	{.name = "ZLIB_1.2.9"},
	{.name = "OPENSSL_3.0.0"},
};
static struct elf_verneed needs[] = {
	{.file = "libc.so.6", .nodes = libc_nodes, .n_nodes = 5},
	{.file = "libstdc++.so.6", .nodes = cxx_nodes, .n_nodes = 4},
	{.file = "libother.so.1", .nodes = other_nodes, .n_nodes = 4},
};
static char *needed[] = {"libc.so.6", "libstdc++.so.6", "libother.so.1",
			 "ld-linux-x86-64.so.2", NULL};

static struct elf_info info(void)
{
	return (struct elf_info){
		.elfclass = ELFCLASS64, .type = ET_DYN, .dynamic = true,
		.interp = "/lib64/ld-linux-x86-64.so.2", .needed = needed,
		.needs = needs, .n_needs = 3,
	};
}

static void test_glibc_limit(void)
{
	struct elf_info in = info();
	struct gate g = {.glibc = "2.33"};
	struct gate_result r;
	gate_check(&g, &in, &r);
	TEST_VERIFY(gate_over(&r));
	TEST_COMPARE_STRING(r.floor, "2.34");
	/* GLIBC_2.34, GLIBC_PRIVATE, GLIBC_ABI_DT_RELR (2.36 > 2.33); no
	 * other family without a profile. */
	TEST_COMPARE(r.n_hits, 3);
	TEST_COMPARE_STRING(r.hits[0].node, "GLIBC_2.34");
	TEST_COMPARE(r.hits[0].why, GATE_NEWER);
	TEST_COMPARE_STRING(r.hits[0].symbols[0], "__libc_start_main");
	TEST_COMPARE(r.hits[1].why, GATE_PRIVATE);
	TEST_COMPARE(r.hits[1].symbols[0] == NULL, 1);
	TEST_COMPARE(r.hits[2].why, GATE_ABI);
	TEST_COMPARE_STRING(r.hits[2].detail, "2.36");
	TEST_VERIFY(r.outside == NULL);
	gate_result_release(&r);
	/* At 2.36 only the private node is left. */
	g.glibc = "2.36";
	gate_check(&g, &in, &r);
	TEST_COMPARE(r.n_hits, 1);
	TEST_COMPARE_STRING(r.hits[0].node, "GLIBC_PRIVATE");
	gate_result_release(&r);
}

static void test_profile(void)
{
	struct elf_info in = info();
	char *aliases[] = {NULL};
	char *nodes[] = {"CXXABI_1.3.7", "CXXABI_TM_1", "GLIBCXX_3.4.19", "LIBATOMIC",
			 "ZLIB_1.2.5.2", NULL};
	char *libs[] = {"libc.so.6", "libstdc++.so.6", NULL};
	struct gate_profile p = {.name = "p", .aliases = aliases, .glibc = "2.36",
				 .nodes = nodes, .libraries = libs};
	struct gate g = {.glibc = p.glibc, .profile = &p};
	struct gate_result r;
	gate_check(&g, &in, &r);
	/* PRIVATE; GLIBCXX_3.4.29 over 3.4.19; CXXABI_FLOAT128 not named;
	 * LIBATOMIC_1.0 (none allowed); ZLIB_1.2.9 over 1.2.5.2 (four parts);
	 * OPENSSL_ is no family of the profile. */
	TEST_COMPARE(r.n_hits, 5);
	TEST_COMPARE_STRING(r.hits[1].node, "GLIBCXX_3.4.29");
	TEST_COMPARE(r.hits[1].why, GATE_PROFILE);
	TEST_COMPARE_STRING(r.hits[1].detail, "GLIBCXX_3.4.19");
	TEST_COMPARE_STRING(r.hits[2].node, "CXXABI_FLOAT128");
	TEST_COMPARE_STRING(r.hits[2].detail, "CXXABI_1.3.7");
	TEST_COMPARE_STRING(r.hits[3].node, "LIBATOMIC_1.0");
	TEST_COMPARE_STRING(r.hits[3].detail, "LIBATOMIC");
	TEST_COMPARE_STRING(r.hits[4].node, "ZLIB_1.2.9");
	/* The loader is always allowed. */
	TEST_VERIFY(r.outside && r.outside[0] && !r.outside[1]);
	TEST_COMPARE_STRING(r.outside[0], "libother.so.1");
	gate_result_release(&r);
}

static void test_static(void)
{
	struct elf_info in = {.elfclass = ELFCLASS64, .type = ET_EXEC};
	struct gate g = {.glibc = "2.17"};
	struct gate_result r;
	gate_check(&g, &in, &r);
	TEST_VERIFY(r.is_static);
	TEST_VERIFY(!gate_over(&r));
	TEST_VERIFY(r.floor == NULL);
	gate_result_release(&r);
}

static void test_load(void)
{
	char path[] = "/tmp/test-floorgate.XXXXXX";
	int fd = mkstemp(path);
	TEST_VERIFY(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# name aliases glibc nodes libraries\n"
	      "manylinux_2_17\tmanylinux2014\t2.17\tGLIBCXX_3.4.19\tlibc.so.6\n"
	      "manylinux_2_28\t-\t2.28\t-\tlibc.so.6,libm.so.6\n", f);
	fclose(f);
	struct gate_profile p;
	struct gm_err *err = NULL;
	TEST_COMPARE(gate_profile_load(path, "manylinux2014", &p, &err), 0);
	TEST_COMPARE_STRING(p.name, "manylinux_2_17");
	TEST_COMPARE_STRING(p.glibc, "2.17");
	gate_profile_release(&p);
	TEST_COMPARE(gate_profile_load(path, "manylinux_2_28", &p, &err), 0);
	TEST_COMPARE_STRING(p.libraries[1], "libm.so.6");
	TEST_VERIFY(p.nodes[0] == NULL);
	gate_profile_release(&p);
	TEST_COMPARE(gate_profile_load(path, "manylinux_2_99", &p, &err), -1);
	TEST_COMPARE(err->code, GM_EXIT_USAGE);
	TEST_VERIFY(strstr(err->msg, "manylinux_2_17 (manylinux2014), manylinux_2_28"));
	gm_err_free(&err);
	f = fopen(path, "w");
	fputs("bad\t-\t2\t-\tlibc.so.6\n", f);
	fclose(f);
	TEST_COMPARE(gate_profile_load(path, "bad", &p, &err), -1);
	TEST_COMPARE(err->code, GM_EXIT_INFRA);
	TEST_VERIFY(strstr(err->msg, ":1: glibc limit '2' is not a version"));
	gm_err_free(&err);
	unlink(path);
}

int main(void)
{
	RUN_TEST(test_glibc_limit);
	RUN_TEST(test_profile);
	RUN_TEST(test_static);
	RUN_TEST(test_load);
	TAP_END();
}
