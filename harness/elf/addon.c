#define _GNU_SOURCE
#include "elf/addon.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const node_args[] = {"-e", "require(process.argv[1])", NULL};
static const char *const python_args[] = {"-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])",
					  NULL};

/* Each kind with the symbol prefixes only its program exports. */
static const struct {
	struct elf_addon addon;
	const char *prefixes[4];
} kinds[] = {
	{{"node add-on", "napi_*", "node", node_args,
	  "node -e 'require(process.argv[1])'"}, {"napi_", "node_api_", NULL}},
	{{"Python extension", "Py*", "python3", python_args,
	  "python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])'"}, {"Py", "_Py", NULL}},
};

const struct elf_addon *elf_addon_of(char *const *undef)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (size_t i = 0; undef && undef[i]; i++)
			for (size_t p = 0; kinds[k].prefixes[p]; p++)
				if (str_starts(undef[i], kinds[k].prefixes[p]))
					return &kinds[k].addon;
	return NULL;
}

static bool is_elf(const char *path)
{
	unsigned char magic[4];
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

char *elf_find_program(const char *name)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = path_join(*dir ? dir : ".", name);
		char *real = realpath(cand, NULL);
		if (real && access(real, X_OK) == 0 && is_elf(real))
			return real;
		free(real);
	}
	return NULL;
}
