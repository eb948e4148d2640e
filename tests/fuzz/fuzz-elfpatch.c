/* libFuzzer target for the ELF patcher: every input is patched three ways
 * (a long interpreter and a long runpath, so the file must grow; short
 * strings that may fit in place; removal of the search path).  Errors are
 * expected; crashes, leaks and out-of-bounds accesses are findings.
 * Seed it with real executables and libraries, e.g. tests/fixtures/elf/. */
#define _GNU_SOURCE
#include "elf/elfpatch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char long_path[320];
static char in_path[64];
static char out_path[256];

/* The input lives in a memfd; outputs go to a private directory on tmpfs
 * when there is one (each success is fsync'ed). */
static int setup(void)
{
	static int fd = -1;
	char dir[] = "/dev/shm/fuzz-elfpatch.XXXXXX";
	char dir2[] = "/tmp/fuzz-elfpatch.XXXXXX";
	const char *d;
	if (fd >= 0)
		return fd;
	fd = memfd_create("fuzz-elfpatch", 0);
	if (fd < 0)
		return -1;
	snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", fd);
	d = mkdtemp(dir) ? dir : mkdtemp(dir2);
	if (!d)
		abort();
	snprintf(out_path, sizeof(out_path), "%s/out", d);
	memset(long_path, 'p', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	return fd;
}

static void patch(const struct elf_patch_opts *o)
{
	struct gm_err *err = NULL;
	struct elf_patch_result res;
	if (elf_patch(in_path, out_path, o, &res, &err) == 0)
		unlink(out_path);
	gm_err_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = setup();
	if (fd < 0 || ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	patch(&(struct elf_patch_opts){.interp = long_path, .path_op = ELF_PATCH_PATH_RUNPATH,
				       .path = long_path});
	patch(&(struct elf_patch_opts){.interp = "/l", .path_op = ELF_PATCH_PATH_RPATH,
				       .path = "/r"});
	patch(&(struct elf_patch_opts){.path_op = ELF_PATCH_PATH_REMOVE});
	return 0;
}
