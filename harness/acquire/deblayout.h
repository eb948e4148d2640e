/* The layout of an extracted Debian glibc (deblayout.c): where its loader,
 * libraries and headers are, and whether the tree is a usable sysroot. */
#ifndef GM_DEBLAYOUT_H
#define GM_DEBLAYOUT_H

#include "base/arch.h"
#include "base/err.h"

struct deb_layout {
	char *loader;       /* relative to the root */
	char *libc;         /* canonical path of libc.so.6's directory */
	char **libdirs;     /* relative, canonical */
	char **includedirs; /* relative, canonical */
};

/* /lib and /lib64 links for trees that ship only /usr/lib (trixie on). */
int deblayout_add_usrmerge_links(const char *root, struct gm_err **err);
/* Finds the loader, libc.so.6's directory, library and header directories
 * of machine a under root. */
int deblayout_find(const char *root, const struct gm_arch *a, struct deb_layout *l,
		   struct gm_err **err);
void deblayout_release(struct deb_layout *l);
/* libc.so.6 is for machine a and is glibc version (its version nodes and
 * its banner agree with the package). */
int deblayout_check_libc(const char *root, const struct deb_layout *l,
			 const struct gm_arch *a, const char *version, struct gm_err **err);
/* Every absolute path the linker script rel names exists inside root. */
int deblayout_check_linker_script(const char *root, const char *rel, struct gm_err **err);

#endif
