/* An image's own programs (containers/own-programs.tsv) that a root
 * filesystem holds: what runs after a method changed the image, to show
 * whether the image still works (plan/cells.c makes each a cell). */
#ifndef GM_OWNPROGS_H
#define GM_OWNPROGS_H

#include <stddef.h>

#include "base/arch.h"
#include "base/config.h"
#include "base/err.h"
#include "elf/elfinfo.h"
#include "store/rootfs.h"

struct own_program {
	char *name;      /* "image:/bin/ls": the cell's subject */
	char *inside;    /* "/bin/ls": what the container runs */
	char *host;      /* the file in the tree, resolved inside it (predictions) */
	char **args;
	enum elf_file_kind kind;     /* of the file in the tree */
	const struct gm_arch *arch;  /* its machine (NULL: unknown) */
};

struct own_programs {
	struct own_program *v;
	size_t n;
};

/* The rows of the table whose file r's tree holds as a regular ELF file
 * (its symbolic links resolved inside the tree; a script or a file that
 * is not ELF is left out); a malformed table is an infrastructure error
 * naming the file and line. */
int ownprogs_load(const struct gm_config *cfg, const struct rootfs *r, struct own_programs *ret,
		  struct gm_err **err);
void ownprogs_release(struct own_programs *p);

#endif
