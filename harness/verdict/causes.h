/* Why a binary needs a glibc version node, and what removes the need: the
 * table sysroots/causes.tsv (its header describes the fields), loaded once
 * per process.  A cause is matched by node and symbol; the first matching
 * row wins, so specific rows come before general ones.  Every row names the
 * probe pair that proves its remedy (tests/070-causes.bats runs them). */
#ifndef GM_CAUSES_H
#define GM_CAUSES_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"

struct cause {
	char *id;
	char **symbols;   /* globs; "*" matches any symbol and none */
	char **nodes;     /* globs */
	char *cause;
	char *remedy;
	char *proof;
};

struct causes {
	struct cause *v;
	size_t n;
	char *path;       /* the file read (messages) */
};

/* The table of cfg->recipes/causes.tsv; a malformed row is an
 * infrastructure error naming the file and line. */
int causes_load(const struct gm_config *cfg, struct causes *ret, struct gm_err **err);
int causes_parse(const char *text, const char *path, struct causes *ret, struct gm_err **err);
void causes_release(struct causes *c);

/* The row explaining symbol@node (symbol NULL: the node is needed without
 * a symbol, as GLIBC_ABI_DT_RELR is), or NULL when none does. */
const struct cause *causes_match(const struct causes *c, const char *node, const char *symbol);

/* A needed node's symbols grouped by the row that explains them (cause
 * NULL: no row does); a node needed without symbols is one group with no
 * symbols.  Groups keep the order of first appearance. */
struct cause_group {
	const struct cause *cause;
	char **symbols;
};
size_t causes_group(const struct causes *c, const char *node, char *const *symbols,
		    struct cause_group **ret);
void cause_groups_free(struct cause_group *g, size_t n);

#endif
