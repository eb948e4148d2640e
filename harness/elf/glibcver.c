#include "elf/glibcver.h"
#include "base/util.h"

#include <string.h>

static bool name_is(const char *soname, const char *stem)
{
	size_t n = strlen(stem);
	return strncmp(soname, stem, n) == 0 && (soname[n] == '.' || soname[n] == '\0');
}

bool glibc_is_floor_lib(const char *soname)
{
	static const char *const libs[] = {"libc.so", "libm.so", "libpthread.so", "libdl.so",
					   "librt.so", "libutil.so", "libanl.so", "libresolv.so",
					   NULL};
	for (size_t i = 0; libs[i]; i++)
		if (name_is(soname, libs[i]))
			return true;
	return str_starts(soname, "ld-linux") || str_starts(soname, "ld64.so") ||
	       str_starts(soname, "ld.so");
}

bool glibc_is_glibc_lib(const char *soname)
{
	static const char *const libs[] = {"libnsl.so", "libBrokenLocale.so", "libmvec.so",
					   "libc_malloc_debug.so", "libthread_db.so",
					   "libmemusage.so", "libpcprofile.so", NULL};
	if (glibc_is_floor_lib(soname) || str_starts(soname, "libnss_"))
		return true;
	for (size_t i = 0; libs[i]; i++)
		if (name_is(soname, libs[i]))
			return true;
	return false;
}

const char *glibc_node_version(const char *node)
{
	if (!str_starts(node, "GLIBC_"))
		return NULL;
	const char *v = node + strlen("GLIBC_");
	return version_valid(v) ? v : NULL;
}

bool glibc_node_special(const char *node)
{
	return strcmp(node, "GLIBC_PRIVATE") == 0 || str_starts(node, "GLIBC_ABI_");
}

const char *glibc_special_since(const char *node)
{
	if (strcmp(node, "GLIBC_ABI_DT_RELR") == 0)
		return "2.36";
	if (strcmp(node, "GLIBC_ABI_GNU2_TLS") == 0)
		return "2.43";
	return NULL;
}

const char *glibc_floor(const struct elf_info *info)
{
	const char *best = NULL;
	for (size_t i = 0; i < info->n_needs; i++) {
		if (!glibc_is_floor_lib(info->needs[i].file))
			continue;
		for (size_t k = 0; k < info->needs[i].n_nodes; k++) {
			const char *v = glibc_node_version(info->needs[i].nodes[k].name);
			if (v && (!best || version_cmp(v, best) > 0))
				best = v;
		}
	}
	return best;
}
