/* Boundary: DT_RELR.  Linked with -z pack-relative-relocs (binutils >= 2.38)
 * relative relocations are packed into DT_RELR and the executable requires
 * the marker node GLIBC_ABI_DT_RELR (defined by glibc >= 2.36) from
 * libc.so.6, so an older loader, which would not apply them, refuses it.
 * binutils 2.40 adds the node even when linking against an older glibc,
 * whose own loader then rejects the binary.  The probe is a PIE with a table
 * of pointers (each one a relative relocation) and checks they were applied. */
#include "../common/probe.h"

#include <string.h>

static const char *const words[] = { "packed", "relative", "relocations", "applied" };
static const char *const *const table[] = { &words[0], &words[1], &words[2], &words[3] };

int main(void)
{
	volatile size_t last = sizeof(table) / sizeof(table[0]) - 1;
	size_t i;

	probe_report();
	for (i = 0; i <= last; i++)
		if (table[i] != &words[i] || words[i] == NULL || words[i][0] == '\0')
			probe_fail("relocation %zu not applied", i);
	if (strcmp(*table[last], "applied") != 0)
		probe_fail("table[%zu] points to \"%s\"", (size_t)last, *table[last]);
	probe_kv("result", "%s", *table[last]);
	return 0;
}
