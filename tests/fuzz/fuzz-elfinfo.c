/* libFuzzer target for the ELF reader: every input is read with symbols,
 * its floor computed, and released.  Errors are expected; crashes, leaks,
 * hangs and out-of-bounds reads are findings (ASan/UBSan). */
#define _GNU_SOURCE
#include "elf/elfinfo.h"
#include "elf/glibcver.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct elf_info in;
	struct gm_err *err = NULL;

	if (fd < 0) {
		fd = memfd_create("fuzz-elf", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	if (elf_info_read_flags(path, ELF_READ_SYMBOLS, &in, &err) == 1) {
		glibc_floor(&in);
		for (size_t i = 0; in.verdefs[i]; i++)
			elf_find_def(&in, in.verdefs[i]);
		elf_info_release(&in);
	}
	gm_err_free(&err);
	return 0;
}
