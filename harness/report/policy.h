/* Gate policies (`check --policy FILE`): which cells must be as expected
 * and which may fail, with a reason.  The format, one rule per line:
 *
 *   # comment
 *   require SUBJECT by METHODS against RUN [in ROOTFS]
 *   allow   SUBJECT by METHODS against RUN [in ROOTFS]: REASON
 *   default require|allow[: REASON]
 *
 * SUBJECT, RUN and ROOTFS are shell globs (fnmatch): SUBJECT matches a
 * cell's subject or its file name, RUN the run sysroot's name, ROOTFS the
 * root filesystem's (a rule without "in" matches cells outside trees
 * only).  A RUN without glob characters is also a name as `--against`
 * takes it (policy_resolve): "bookworm", "2.36", "rhel8" match the sysroot
 * they resolve to; METHODS is a comma-separated list of method names or "*".  The
 * first rule that matches a cell decides it; a cell no rule matches falls
 * to the default (require, unless said).  A required cell that is not as
 * expected fails the gate, and so does a require rule that matches no cell
 * at all: the policy asked for a method or a tree the run did not cover. */
#ifndef GM_POLICY_H
#define GM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/config.h"
#include "base/err.h"
#include "report/rdoc.h"

struct policy_rule {
	bool require;
	char *subject, *run, *rootfs;  /* rootfs NULL: cells outside trees */
	char *run_sysroot;             /* what run resolves to (policy_resolve), or NULL */
	char **methods;                /* "*" matches every method */
	char *reason;                  /* allow: why; "" for require */
	size_t line;
};

struct policy {
	struct policy_rule *rules;
	size_t n;
	bool default_require;
	char *default_reason;
	char *path;
};

/* Parses text (path names it in errors, which give the line and the cause:
 * GM_EXIT_USAGE). */
int policy_parse(const char *text, const char *path, struct policy *ret, struct gm_err **err);
int policy_load(const char *path, struct policy *ret, struct gm_err **err);
void policy_release(struct policy *p);

/* Resolves each rule's RUN that has no glob character as `--against` does
 * (store/resolve.h: a sysroot name, a Debian suite, a glibc version, a
 * profile) for architecture arch (GNU name; NULL: the host's), so the rule
 * matches the cells of that sysroot too.  A name that resolves to nothing
 * stays a plain pattern (a require rule then fails the gate as matching no
 * cell, naming it). */
void policy_resolve(struct policy *p, const struct gm_config *cfg, const char *arch);

/* Applies the policy to a document's cells, prints what it decided (the
 * violations, the allowed failures with their reasons) to out and returns
 * the number of violations. */
size_t policy_gate(const struct policy *p, const struct rdoc *d, FILE *out);

#endif
