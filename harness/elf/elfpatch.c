/* PT_INTERP / DT_RUNPATH / DT_RPATH patcher; the contract and the layout
 * policy are in elfpatch.h, the parts in elfpatch-int.h.  The output is the
 * input's bytes with edits, plus one appended region; libelf's own writer is
 * not used: it re-lays out sections, which an executable's segments cannot
 * survive.  This file writes the output under a temporary name, re-reads and
 * checks it, and renames it into place. */
#define _GNU_SOURCE
#include "elf/elfpatch-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "elf/elfinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- checking and writing the output ------------------------------------- */

/* Structure of the written file: headers in the file, PT_LOAD sorted (both
 * by patcher_load), PT_PHDR inside a PT_LOAD at the matching address. */
static int check_layout(const char *path, const char *in, struct gm_err **err)
{
	struct patcher p = {.path = path};
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = -1;
	if (fd < 0)
		return gm_infra(err, errno, "cannot reopen '%s'", path);
	if (patcher_load(&p, fd, false, err) < 0)
		goto out;
	for (size_t i = 0; i < p.phnum; i++) {
		const GElf_Phdr *ph = &p.ph[i];
		bool covered = false;
		if (ph->p_type != PT_PHDR)
			continue;
		for (size_t k = 0; k < p.phnum && !covered; k++) {
			const GElf_Phdr *l = &p.ph[k];
			covered = l->p_type == PT_LOAD && ph->p_offset >= l->p_offset &&
				  ph->p_offset + ph->p_filesz <= l->p_offset + l->p_filesz &&
				  ph->p_vaddr - ph->p_offset == l->p_vaddr - l->p_offset;
		}
		if (!covered || ph->p_offset != p.eh.e_phoff) {
			gm_err_set(err, GM_EXIT_INFRA, 0,
				   "'%s': patched output has PT_PHDR outside its PT_LOAD", in);
			goto out;
		}
	}
	rc = 0;
out:
	patcher_release(&p);
	return rc;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Same strings in the same order: a rewritten .dynstr that tail-merges
 * strings must not change what any other entry names. */
static bool same_strv(char *const *a, char *const *b)
{
	size_t i = 0;
	for (; a && b && a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return (!a || !a[i]) && (!b || !b[i]);
}

/* The output read back through the project's reader says what was asked. */
static int check_meaning(const char *tmp, const char *in, const struct elf_info *orig,
			 const struct elf_patch_opts *o, struct gm_err **err)
{
	struct elf_info got;
	const char *interp = o->interp ? o->interp : orig->interp;
	const char *runpath = orig->runpath, *rpath = orig->rpath;
	const char *what = NULL;
	int rc = elf_info_read(tmp, &got, err);
	if (rc <= 0) {
		if (rc == 0)
			gm_err_set(err, GM_EXIT_INFRA, 0, "output is not ELF");
		return gm_err_wrap(err, "'%s': patched output does not read back", in);
	}
	if (o->path_op != ELF_PATCH_PATH_KEEP) {
		runpath = o->path_op == ELF_PATCH_PATH_RUNPATH ? o->path : NULL;
		rpath = o->path_op == ELF_PATCH_PATH_RPATH ? o->path : NULL;
	}
	if (!same_str(got.interp, interp))
		what = "PT_INTERP";
	else if (!same_str(got.runpath, runpath))
		what = "DT_RUNPATH";
	else if (!same_str(got.rpath, rpath))
		what = "DT_RPATH";
	else if (!same_strv(got.needed, orig->needed))
		what = "DT_NEEDED";
	else if (!same_str(got.soname, orig->soname))
		what = "DT_SONAME";
	elf_info_release(&got);
	if (what)
		return gm_err_set(err, GM_EXIT_INFRA, 0, "'%s': patched output has the wrong %s",
				  in, what);
	return 0;
}

static int write_at(int fd, const unsigned char *buf, size_t len, uint64_t off, const char *tmp,
		    struct gm_err **err)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return gm_infra(err, n < 0 ? errno : EIO, "cannot write '%s'", tmp);
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The unchanged bytes by copy_file_range (no copy through user space, a
 * reflink where the file system can), then the edits and the new region. */
static int write_image(const struct patcher *p, int fd, const char *tmp, struct gm_err **err)
{
	loff_t in_off = 0, out_off = 0;
	while ((size_t)in_off < p->size) {
		ssize_t n = copy_file_range(p->fd, &in_off, fd, &out_off, p->size - (size_t)in_off, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Not supported here (or the input shrank): write it all. */
			if (write_at(fd, p->out, p->size, 0, tmp, err) < 0)
				return -1;
			in_off = (loff_t)p->size;
			break;
		}
	}
	for (size_t i = 0; i < p->n_dirty; i++)
		if (write_at(fd, p->out + p->dirty[i].off, p->dirty[i].len, p->dirty[i].off, tmp,
			     err) < 0)
			return -1;
	return p->add ? write_at(fd, p->add, p->add_len, p->add_off, tmp, err) : 0;
}

/* Writes the output to a temporary file beside out and checks it; the
 * caller makes it durable and renames it.  Returns the temporary name. */
static char *write_checked(struct patcher *p, const char *out, mode_t mode,
			   const struct elf_info *orig, const struct elf_patch_opts *o,
			   struct gm_err **err)
{
	char *tmp = NULL;
	int fd = fs_atomic_open(out, mode & 0777, &tmp, err);
	if (fd < 0) {
		/* An output directory that does not exist is the user's mistake. */
		if (err && *err && ((*err)->sys_errno == ENOENT || (*err)->sys_errno == ENOTDIR))
			(*err)->code = GM_EXIT_USAGE;
		return NULL;
	}
	if (write_image(p, fd, tmp, err) == 0 && check_layout(tmp, p->path, err) == 0 &&
	    check_meaning(tmp, p->path, orig, o, err) == 0) {
		if (close(fd) == 0)
			return tmp;
		gm_infra(err, errno, "cannot write '%s'", tmp);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return NULL;
}

static int check_opts(const char *in, const char *out, const struct elf_patch_opts *o,
		      struct gm_err **err)
{
	if (!in || !*in || !out || !*out)
		return gm_usage(err, "patch: an input and an output file are needed");
	if (o->interp && !*o->interp)
		return gm_usage(err, "patch: the interpreter path is empty");
	/* Linux's ELF loader refuses a PT_INTERP longer than PATH_MAX bytes
	 * (NUL included) with ENOEXEC: such a file could never run. */
	if (o->interp && strlen(o->interp) + 1 > PATH_MAX)
		return gm_usage(err, "patch: the interpreter path is %zu bytes; the kernel "
				"executes none longer than %d", strlen(o->interp), PATH_MAX - 1);
	if ((o->path_op == ELF_PATCH_PATH_RUNPATH || o->path_op == ELF_PATCH_PATH_RPATH) && !o->path)
		return gm_usage(err, "patch: no search path given");
	if (!o->interp && o->path_op == ELF_PATCH_PATH_KEEP)
		return gm_usage(err, "patch: nothing to do (--interp, --runpath, --rpath or "
				     "--remove-runpath)");
	return 0;
}

/* The input as a regular file, distinct from out. */
static int open_input(const char *in, const char *out, struct stat *st, struct gm_err **err)
{
	struct stat ost;
	int fd = fs_open_input(in, err);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		close(fd);
		return gm_infra(err, errno, "cannot stat '%s'", in);
	}
	if (stat(out, &ost) == 0 && ost.st_dev == st->st_dev && ost.st_ino == st->st_ino) {
		close(fd);
		return gm_usage(err, "'%s': the output is the input file, which is never modified", in);
	}
	return fd;
}

/* Patches in into a checked temporary file beside out (not yet synced). */
static char *stage(const char *in, const char *out, const struct elf_patch_opts *o,
		   struct elf_patch_result *ret, struct gm_err **err)
{
	struct patcher p = {.path = in};
	struct elf_info orig;
	struct stat st = {0};
	cleanup_close int fd = -1;
	char *tmp = NULL;
	int rc;

	if (check_opts(in, out, o, err) < 0 || (fd = open_input(in, out, &st, err)) < 0)
		return NULL;
	rc = elf_info_read(in, &orig, err);
	if (rc <= 0) {
		if (rc == 0)
			patcher_bad(&p, err, "not an ELF file");
		return NULL;
	}
	if (patcher_load(&p, fd, true, err) < 0)
		goto out;
	p.fd = fd;
	p.out = mmap(NULL, p.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p.out == MAP_FAILED) {
		gm_infra(err, errno, "cannot map '%s'", in);
		goto out;
	}
	if (patcher_plan(&p, o, err) < 0 || !(tmp = write_checked(&p, out, st.st_mode, &orig, o, err)))
		goto out;
	if (ret) {
		*ret = (struct elf_patch_result){
			.interp_moved = p.move_interp, .strtab_moved = p.move_str,
			.dynamic_moved = p.move_dyn, .grown = p.add != NULL,
			.old_size = p.size, .new_size = p.add ? p.add_off + p.add_len : p.size,
		};
	}
out:
	elf_info_release(&orig);
	patcher_release(&p);
	return tmp;
}

/* Makes the staged files durable: fsync for one, one syncfs per file
 * system for many (one journal commit instead of one per file). */
static int sync_staged(char **tmps, size_t n, struct gm_err **err)
{
	cleanup_free dev_t *done = xcalloc(n, sizeof(*done));
	size_t n_done = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		bool seen = false;
		cleanup_close int fd = open(tmps[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0)
			return gm_infra(err, errno, "cannot reopen '%s'", tmps[i]);
		for (size_t k = 0; k < n_done && !seen; k++)
			seen = done[k] == st.st_dev;
		if (seen)
			continue;
		if ((n == 1 ? fsync(fd) : syncfs(fd)) < 0)
			return gm_infra(err, errno, "cannot sync '%s'", tmps[i]);
		done[n_done++] = st.st_dev;
	}
	return 0;
}

/* Removes the temporary files of a failed batch. */
static void drop_staged(char **tmps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tmps[i])
			unlink(tmps[i]);
		free(tmps[i]);
	}
	free(tmps);
}

int elf_patch_many(const char *const *in, const char *const *out, size_t n,
		   const struct elf_patch_opts *o, struct elf_patch_result *ret,
		   struct gm_err **err)
{
	char **tmps = xcalloc(n ? n : 1, sizeof(*tmps));
	size_t i;
	for (i = 0; i < n; i++)
		if (!(tmps[i] = stage(in[i], out[i], o, ret ? &ret[i] : NULL, err)))
			goto fail;
	if (sync_staged(tmps, n, err) < 0)
		goto fail;
	/* The directory is not fsync'ed: a crash may lose a rename, never
	 * leave a partial OUT, and the outputs are reproducible. */
	for (i = 0; i < n; i++) {
		if (rename(tmps[i], out[i]) < 0) {
			gm_infra(err, errno, "cannot rename '%s' to '%s'", tmps[i], out[i]);
			goto fail;
		}
		free(tmps[i]);
		tmps[i] = NULL;
	}
	free(tmps);
	return 0;
fail:
	drop_staged(tmps, n);
	return -1;
}

int elf_patch(const char *in, const char *out, const struct elf_patch_opts *o,
	      struct elf_patch_result *ret, struct gm_err **err)
{
	return elf_patch_many(&in, &out, 1, o, ret, err);
}

