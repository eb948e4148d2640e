/* check's inputs: each BINARY, PKG (a .deb, a tarball, a directory:
 * acquire/package.h) or PKG:PATH (one file of a package, as results name
 * it) expanded into the files to check, each named as results name it. */
#ifndef GM_CLI_INPUTS_H
#define GM_CLI_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "acquire/package.h"
#include "base/err.h"
#include "base/ui.h"

struct check_inputs {
	size_t n;
	char **names;        /* "foo", "pkg.deb:usr/bin/foo" */
	char **paths;        /* the file read and run for each */
	char ***libdirs;     /* per file: its package's library directories, then
			      * those of the other packages given, or NULL */
	size_t *pkg_of;      /* per file: its package's index + 1, 0 for none */
	struct package *pkgs;
	size_t n_pkgs;
};

/* Does any arg name a package (or a file of one)?  Then the run's
 * directory is made before the inputs are expanded: packages are unpacked
 * below it. */
bool inputs_have_package(char *const *args);

/* Expands args; packages are unpacked into outdir/packages/<N>-<name>
 * (outdir: the run's own directory, made by the caller; may be NULL when
 * inputs_have_package is false).  A file of no package that is not ELF
 * is left for the caller to judge. */
int inputs_expand(const struct gm_ctx *ctx, char *const *args, const char *outdir,
		  struct check_inputs *ret, struct gm_err **err);
void inputs_release(struct check_inputs *in);

#endif
