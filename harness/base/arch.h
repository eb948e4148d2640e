/* Architectures: every name one machine goes by, in one table.
 *
 *   Debian arch  ELF e_machine (+ class)  GNU name (uname -m, manifests)
 *   GNU triplet  loader file name          qemu-user binary
 *
 * x86_64, aarch64 and riscv64 are proven here (imports, probes, methods);
 * i386, armhf, ppc64el and s390x are rows of the table so that their
 * files are named correctly, and nothing more is claimed for them.  A
 * name outside the table is an error, never a silent x86_64. */
#ifndef GM_ARCH_H
#define GM_ARCH_H

#include <stdbool.h>

struct gm_arch {
	const char *deb;         /* "amd64" */
	const char *gnu;         /* "x86_64": uname -m, sysroot.json "arch" */
	const char *triplet;     /* "x86_64-linux-gnu" */
	const char *loader;      /* "ld-linux-x86-64.so.2" */
	const char *loader_path; /* the loader's canonical path, "/lib64/ld-linux-x86-64.so.2" */
	const char *qemu;        /* "qemu-x86_64-static" */
	int machine;             /* EM_X86_64 */
	int elfclass;            /* ELFCLASS64 */
	bool proven;             /* exercised by this project's tests */
};

/* Lookups; NULL when the name is not in the table. */
const struct gm_arch *arch_by_deb(const char *deb);
const struct gm_arch *arch_by_gnu(const char *gnu);
const struct gm_arch *arch_by_machine(int machine, int elfclass);
/* The machine this runs on; NULL if uname names a machine outside the table. */
const struct gm_arch *arch_host(void);
/* "amd64, arm64, riscv64": Debian names of the proven rows. */
const char *arch_proven_debs(void);

/* The emulator that runs a's programs on this machine: the path of
 * qemu-<arch>-static found in PATH (Debian's qemu-user-static), or NULL
 * when there is none (caller frees).  Never asked for the host's own
 * architecture. */
char *arch_emulator(const struct gm_arch *a);

#endif
