/* elf_patch on the committed fixtures (tests/fixtures/elf): in place when a
 * string fits, a new segment when not, the error codes, and all-or-nothing
 * batches.  Read back through elf_info_read, the reader the patcher itself
 * trusts; tests/050-patch.bats compares against patchelf and runs outputs. */
#include "elf/elfinfo.h"
#include "elf/elfpatch.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX "tests/fixtures/elf/"

static char dir[] = "/tmp/gm-elfpatch-XXXXXX";
static char long_path[300];

static char *out_path(const char *name)
{
	return path_join(dir, name);
}

static struct elf_info read_back(const char *path)
{
	struct elf_info info;
	memset(&info, 0, sizeof(info));
	TEST_COMPARE(elf_info_read(path, &info, NULL), 1);
	return info;
}

static off_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void interp_in_place_and_moved(void)
{
	struct elf_patch_result res;
	char *o = out_path("pie-short"), *o2 = out_path("pie-long");
	struct elf_info info;

	TEST_COMPARE(elf_patch(FIX "hello-pie", o, &(struct elf_patch_opts){.interp = "/l/ld.so"},
			       &res, NULL), 0);
	TEST_VERIFY(!res.grown && !res.interp_moved);
	TEST_COMPARE(size_of(o), size_of(FIX "hello-pie"));
	info = read_back(o);
	TEST_COMPARE_STRING(info.interp, "/l/ld.so");
	elf_info_release(&info);

	TEST_COMPARE(elf_patch(FIX "hello-pie", o2, &(struct elf_patch_opts){.interp = long_path},
			       &res, NULL), 0);
	TEST_VERIFY(res.grown && res.interp_moved && !res.strtab_moved);
	TEST_VERIFY(size_of(o2) > size_of(FIX "hello-pie"));
	info = read_back(o2);
	TEST_COMPARE_STRING(info.interp, long_path);
	TEST_COMPARE(strv_len(info.needed), 1);
	elf_info_release(&info);
	free(o);
	free(o2);
}

static void search_paths(void)
{
	struct elf_patch_result res;
	char *o = out_path("nopie");
	struct elf_info info;

	/* shorter than /opt/fixture/lib: over the old string */
	TEST_COMPARE(elf_patch(FIX "hello-nopie", o,
			       &(struct elf_patch_opts){.path_op = ELF_PATCH_PATH_RPATH, .path = "/o"},
			       &res, NULL), 0);
	TEST_VERIFY(!res.grown);
	info = read_back(o);
	TEST_COMPARE_STRING(info.rpath, "/o");
	TEST_VERIFY(info.runpath == NULL);
	elf_info_release(&info);

	TEST_COMPARE(elf_patch(FIX "hello-nopie", o,
			       &(struct elf_patch_opts){.path_op = ELF_PATCH_PATH_RUNPATH,
							.path = long_path},
			       &res, NULL), 0);
	TEST_VERIFY(res.grown && res.strtab_moved);
	info = read_back(o);
	TEST_COMPARE_STRING(info.runpath, long_path);
	TEST_COMPARE_STRING(info.interp, "/lib64/ld-linux-x86-64.so.2");
	elf_info_release(&info);

	TEST_COMPARE(elf_patch(FIX "hello-nopie", o,
			       &(struct elf_patch_opts){.path_op = ELF_PATCH_PATH_REMOVE}, &res, NULL),
		     0);
	TEST_VERIFY(!res.grown);
	info = read_back(o);
	TEST_VERIFY(info.runpath == NULL && info.rpath == NULL);
	elf_info_release(&info);
	free(o);
}

static void library(void)
{
	struct gm_err *err = NULL;
	char *o = out_path("lib");
	struct elf_info info;

	TEST_COMPARE(elf_patch(FIX "libfix.so", o,
			       &(struct elf_patch_opts){.path_op = ELF_PATCH_PATH_RUNPATH,
							.path = "$ORIGIN"},
			       NULL, NULL), 0);
	info = read_back(o);
	TEST_COMPARE_STRING(info.runpath, "$ORIGIN");
	TEST_COMPARE_STRING(info.soname, "libfix.so.1");
	elf_info_release(&info);
	unlink(o);
	/* No PT_INTERP to replace: bad input (exit 2), naming the file; no output. */
	TEST_COMPARE(elf_patch(FIX "libfix.so", o, &(struct elf_patch_opts){.interp = "/x"}, NULL,
			       &err), -1);
	TEST_VERIFY(err && err->code == GM_EXIT_USAGE && strstr(err->msg, "libfix.so") &&
		    strstr(err->msg, "PT_INTERP"));
	TEST_VERIFY(!path_exists(o));
	gm_err_free(&err);
	free(o);
}

static void usage_errors(void)
{
	struct gm_err *err = NULL;
	char *o = out_path("u");
	TEST_COMPARE(elf_patch(FIX "hello-pie", o, &(struct elf_patch_opts){0}, NULL, &err), -1);
	TEST_VERIFY(err && err->code == GM_EXIT_USAGE);
	gm_err_free(&err);
	TEST_COMPARE(elf_patch(FIX "hello-pie", FIX "hello-pie",
			       &(struct elf_patch_opts){.interp = "/x"}, NULL, &err), -1);
	TEST_VERIFY(err && err->code == GM_EXIT_USAGE && strstr(err->msg, "never modified"));
	gm_err_free(&err);
	TEST_COMPARE(elf_patch(FIX "no-such-file", o, &(struct elf_patch_opts){.interp = "/x"}, NULL,
			       &err), -1);
	TEST_VERIFY(err && err->code == GM_EXIT_USAGE);
	gm_err_free(&err);
	free(o);
}

static void batch_all_or_nothing(void)
{
	struct gm_err *err = NULL;
	char *a = out_path("batch-a"), *b = out_path("batch-b");
	const char *in[] = {FIX "hello-pie", FIX "libfix.so"};
	const char *out[] = {a, b};
	struct elf_patch_opts o = {.interp = long_path};
	TEST_COMPARE(elf_patch_many(in, out, 2, &o, NULL, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "libfix.so"));
	TEST_VERIFY(!path_exists(a) && !path_exists(b));
	gm_err_free(&err);
	in[1] = FIX "hello-nopie";
	TEST_COMPARE(elf_patch_many(in, out, 2, &o, NULL, &err), 0);
	TEST_VERIFY(path_exists(a) && path_exists(b));
	free(a);
	free(b);
}

int main(void)
{
	if (!path_exists(FIX "hello-pie"))
		return 77;
	if (!mkdtemp(dir))
		return 99;
	memset(long_path, 'q', sizeof(long_path) - 1);
	long_path[0] = '/';
	RUN_TEST(interp_in_place_and_moved);
	RUN_TEST(search_paths);
	RUN_TEST(library);
	RUN_TEST(usage_errors);
	RUN_TEST(batch_all_or_nothing);
	rm_rf(dir, NULL);
	TAP_END();
}
