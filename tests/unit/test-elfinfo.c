/* The ELF reader on committed fixtures (tests/fixtures/elf/README has their
 * sources and commands).  Run from the top of the tree. */
#include "elf/elfinfo.h"
#include "elf/glibcver.h"
#include "base/cleanup.h"
#include "base/util.h"
#include "tap.h"

#include <elf.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define FIX "tests/fixtures/elf/"

static const struct elf_vernode *node(const struct elf_info *in, const char *file,
				      const char *name)
{
	for (size_t i = 0; i < in->n_needs; i++)
		if (strcmp(in->needs[i].file, file) == 0)
			for (size_t k = 0; k < in->needs[i].n_nodes; k++)
				if (strcmp(in->needs[i].nodes[k].name, name) == 0)
					return &in->needs[i].nodes[k];
	return NULL;
}

static void pie_executable(void)
{
	struct elf_info in;
	TEST_COMPARE(elf_info_read_flags(FIX "hello-pie", ELF_READ_SYMBOLS, &in, NULL), 1);
	TEST_COMPARE(in.elfclass, ELFCLASS64);
	TEST_COMPARE(in.machine, EM_X86_64);
	TEST_COMPARE(in.type, ET_DYN);
	TEST_VERIFY(in.pie);
	TEST_COMPARE_STRING(in.interp, "/lib64/ld-linux-x86-64.so.2");
	TEST_VERIFY(strv_contains(in.needed, "libc.so.6"));
	TEST_VERIFY(in.runpath == NULL && in.rpath == NULL);
	const struct elf_vernode *n34 = node(&in, "libc.so.6", "GLIBC_2.34");
	TEST_VERIFY(n34 && strv_contains(n34->symbols, "__libc_start_main"));
	TEST_VERIFY(n34 && strv_contains(n34->symbols, "pthread_create"));
	const struct elf_vernode *n33 = node(&in, "libc.so.6", "GLIBC_2.33");
	TEST_VERIFY(n33 && strv_contains(n33->symbols, "stat"));
	TEST_COMPARE_STRING(glibc_floor(&in), "2.34");
	elf_info_release(&in);
}

static void nonpie_with_runpath(void)
{
	struct elf_info in;
	TEST_COMPARE(elf_info_read(FIX "hello-nopie", &in, NULL), 1);
	TEST_COMPARE(in.type, ET_EXEC);
	TEST_VERIFY(!in.pie);
	TEST_COMPARE_STRING(in.runpath, "/opt/fixture/lib");
	TEST_COMPARE_STRING(glibc_floor(&in), "2.34");
	/* Without ELF_READ_SYMBOLS the nodes are there, their symbols are not. */
	const struct elf_vernode *n34 = node(&in, "libc.so.6", "GLIBC_2.34");
	TEST_VERIFY(n34 && strv_len(n34->symbols) == 0);
	elf_info_release(&in);
}

static void library_definitions(void)
{
	struct elf_info in;
	TEST_COMPARE(elf_info_read_flags(FIX "libfix.so", ELF_READ_SYMBOLS, &in, NULL), 1);
	TEST_COMPARE_STRING(in.soname, "libfix.so.1");
	TEST_VERIFY(in.interp == NULL);
	TEST_COMPARE(strv_len(in.verdefs), 2); /* the base entry is not a node */
	const struct elf_verdef *d1 = elf_find_def(&in, "FIX_1.0");
	const struct elf_verdef *d2 = elf_find_def(&in, "FIX_2.0");
	TEST_VERIFY(d1 && elf_def_has_symbol(d1, "fix_old") && !elf_def_has_symbol(d1, "fix_new"));
	TEST_VERIFY(d2 && elf_def_has_symbol(d2, "fix_new"));
	TEST_VERIFY(elf_find_def(&in, "libfix.so.1") == NULL);
	elf_info_release(&in);
}

static void not_elf_and_missing(void)
{
	struct elf_info in;
	struct gm_err *err = NULL;
	TEST_COMPARE(elf_info_read(FIX "hello.c", &in, NULL), 0);
	TEST_COMPARE(elf_info_read(FIX "no-such-file", &in, &err), -1);
	TEST_VERIFY(err && err->code == GM_EXIT_USAGE && strstr(err->msg, "no-such-file"));
	gm_err_free(&err);
}

static void glibc_names(void)
{
	TEST_VERIFY(glibc_is_floor_lib("libc.so.6"));
	TEST_VERIFY(glibc_is_floor_lib("ld-linux-x86-64.so.2"));
	TEST_VERIFY(glibc_is_floor_lib("libpthread.so.0"));
	TEST_VERIFY(!glibc_is_floor_lib("libcrypt.so.1"));
	TEST_VERIFY(!glibc_is_floor_lib("libcap.so.2"));
	TEST_VERIFY(glibc_is_glibc_lib("libnss_files.so.2"));
	/* Not glibc's, though named like it: libnsl2, systemd, SSSD. */
	TEST_VERIFY(glibc_is_glibc_lib("libnsl.so.1"));
	TEST_VERIFY(!glibc_is_glibc_lib("libnsl.so.2"));
	TEST_VERIFY(!glibc_is_glibc_lib("libnsl.so.2.0.1"));
	TEST_VERIFY(!glibc_is_glibc_lib("libnss_systemd.so.2"));
	TEST_VERIFY(!glibc_is_glibc_lib("libnss_sss.so.2"));
	TEST_COMPARE_STRING(glibc_node_version("GLIBC_2.3.4"), "2.3.4");
	TEST_VERIFY(glibc_node_version("GLIBC_PRIVATE") == NULL);
	TEST_VERIFY(glibc_node_version("GLIBCXX_3.4") == NULL);
	TEST_VERIFY(glibc_node_special("GLIBC_ABI_DT_RELR"));
	TEST_COMPARE_STRING(glibc_special_since("GLIBC_ABI_DT_RELR"), "2.36");
}

/* A sparse file of size bytes with text at offset at; its path. */
static char *sparse_with(const char *text, off_t at, off_t size)
{
	char *path = xstrdup("/tmp/gm-test-banner-XXXXXX");
	int fd = mkstemp(path);
	TEST_VERIFY(fd >= 0);
	TEST_VERIFY(pwrite(fd, text, strlen(text), at) == (ssize_t)strlen(text));
	TEST_VERIFY(ftruncate(fd, size) == 0);
	close(fd);
	return path;
}

static long max_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The banner of a hostile libc.so.6: 2 GiB, sparse.  Read whole, it cost
 * 2 GiB of memory in a root process; scanned, one window.  A banner
 * across the window's edge is found; one past the scan limit is not. */
static void banner_bounded(void)
{
	static const char b[] = "GNU C Library (GNU libc) release version 2.99.";
	const off_t gib2 = (off_t)2 << 30;
	long before = max_rss_kib();
	cleanup_free char *edge = sparse_with(b, (1 << 20) - 20, gib2);
	cleanup_free char *v = glibc_banner_version(edge);
	TEST_COMPARE_STRING(v, "2.99");
	cleanup_free char *far = sparse_with(b, (off_t)GLIBC_BANNER_SCAN_MAX + 4096, gib2);
	TEST_VERIFY(glibc_banner_version(far) == NULL);
	TEST_VERIFY(max_rss_kib() - before < 16 * 1024);
	unlink(edge);
	unlink(far);
}

int main(void)
{
	RUN_TEST(pie_executable);
	RUN_TEST(nonpie_with_runpath);
	RUN_TEST(library_definitions);
	RUN_TEST(not_elf_and_missing);
	RUN_TEST(glibc_names);
	RUN_TEST(banner_bounded);
	TAP_END();
}
