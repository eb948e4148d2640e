/* binfmt_misc: does the kernel run another architecture's ELF programs by
 * itself?  The container methods need that for a foreign root filesystem:
 * the batch helper (ours, static, this machine's) execs the probe, and no
 * emulator is in the tree.  Only an entry registered with the F flag works
 * there: the kernel opened its interpreter at registration, so it needs no
 * path inside the container.  Debian's qemu-user-static ships such entries
 * (/usr/lib/binfmt.d/qemu-<arch>.conf, flags OPF); ci/binfmt.sh registers
 * them where no systemd did.
 *
 * The answer is read from cfg->binfmt_dir (/proc/sys/fs/binfmt_misc;
 * $GLIBC_MATRIX_BINFMT_DIR overrides it, so a test can show the answer for
 * a machine without it):
 * an enabled entry whose magic (offset 0) matches ELF files of the class
 * and e_machine, never a guess from its name. */
#ifndef GM_BINFMT_H
#define GM_BINFMT_H

#include "base/arch.h"
#include "base/config.h"

/* 1: a's programs run through binfmt_misc with the F flag; 0: they do not,
 * *why (caller frees) says what is missing and how to fix it.  Read once per
 * architecture and directory for the process (planning asks per cell, on
 * the main thread: the memo has no lock). */
int binfmt_ready(const struct gm_config *cfg, const struct gm_arch *a, char **why);

#endif
