/* The output of `inspect --max-glibc VERSION` / `--profile NAME`
 * (elf/floorgate.h judges, this file reports): per ELF file, in text one
 * line for each file over the limit (file, node, library, symbols) or a
 * static executable (no version needs: never over), then a summary line;
 * with --json one object per ELF file:
 *   {"file", "floor" (x.y or null), "over" (bool), "static" (bool),
 *    "nodes": [{"library", "node", "reason", "symbols": [...]}],
 *    "libraries": [sonames outside the profile]}
 * and no summary (the caller prints the array's brackets). */
#ifndef GM_INSPECT_GATE_H
#define GM_INSPECT_GATE_H

#include <stdbool.h>
#include <stdio.h>

#include "base/config.h"
#include "base/err.h"
#include "elf/elfinfo.h"
#include "elf/floorgate.h"

struct inspect_gate {
	struct gate gate;
	struct gate_profile profile;  /* with --profile */
	char *label;                  /* "glibc 2.28" or "manylinux_2_28 (glibc 2.28)" */
	bool json;
	FILE *out;
	size_t files, over, statics;
};

/* max_glibc or profile (exactly one; the other NULL).  Returns 0, or -1 +
 * err: GM_EXIT_USAGE for a version that is not one or an unknown profile
 * (profiles from cfg->recipes/profiles-manylinux.tsv). */
int inspect_gate_init(struct inspect_gate *ig, const struct gm_config *cfg, const char *max_glibc,
		      const char *profile, bool json, FILE *out, struct gm_err **err);
/* Judges and reports one ELF file (read with ELF_READ_SYMBOLS); first:
 * the first object of the JSON array. */
void inspect_gate_file(struct inspect_gate *ig, const char *path, const struct elf_info *in,
		       bool first);
/* The summary line (text only; unread: the files that could not be
 * judged, reported on stderr by the scan); GM_EXIT_FINDINGS when a file is
 * over, else 0. */
int inspect_gate_finish(struct inspect_gate *ig, size_t unread);
void inspect_gate_release(struct inspect_gate *ig);

#endif
