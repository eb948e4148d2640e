/* elf/addon: what a shared object's undefined symbols say about the
 * program made to load it, and that program found as an ELF file in PATH
 * (a script shim before it, as pyenv puts, is passed over). */
#define _GNU_SOURCE
#include "elf/addon.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void kinds_by_symbols(void)
{
	char *node[] = {"malloc", "napi_create_function", NULL};
	char *py[] = {"PyLong_FromLong", NULL};
	char *plain[] = {"memcpy", "pthread_create", NULL};
	TEST_COMPARE_STRING(elf_addon_of(node)->program, "node");
	TEST_COMPARE_STRING(elf_addon_of(py)->program, "python3");
	TEST_VERIFY(!elf_addon_of(plain));
	TEST_VERIFY(!elf_addon_of(NULL));
}

static void program_is_an_elf_file(void)
{
	char dir[] = "/tmp/gm-addon-XXXXXX";
	TEST_VERIFY(mkdtemp(dir) != NULL);
	char *shim = path_join(dir, "sh");
	TEST_COMPARE(write_file_atomic(shim, "#!/bin/sh\nexec /bin/sh \"$@\"\n", 28, 0755, NULL), 0);
	char *path = xasprintf("%s:/usr/bin:/bin", dir);
	const char *old = getenv("PATH");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("PATH", path, 1);
	char *found = elf_find_program("sh");
	TEST_VERIFY(found && strcmp(found, shim) != 0);
	TEST_VERIFY(found && found[0] == '/');
	TEST_VERIFY(!elf_find_program("gm-no-such-program"));
	if (saved)
		setenv("PATH", saved, 1);
	free(found);
	free(saved);
	free(path);
	unlink(shim);
	free(shim);
	rmdir(dir);
}

int main(void)
{
	RUN_TEST(kinds_by_symbols);
	RUN_TEST(program_is_an_elf_file);
	TAP_END();
}
