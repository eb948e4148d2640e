#define _GNU_SOURCE
#include "elfinfo.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

static void elf_init_once(void)
{
	static bool done;
	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

const char *elf_machine_name(int machine)
{
	switch (machine) {
	case EM_X86_64: return "x86_64";
	case EM_AARCH64: return "aarch64";
	case EM_RISCV: return "riscv64";
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	default: return "unknown";
	}
}

/* A string from a string table, or NULL if the offset is out of range or
 * the string is not terminated inside the section. */
static const char *safe_str(Elf *e, size_t strndx, size_t off)
{
	Elf_Scn *scn = elf_getscn(e, strndx);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !d->d_buf || off >= d->d_size)
		return NULL;
	const char *s = (const char *)d->d_buf + off;
	if (!memchr(s, '\0', d->d_size - off))
		return NULL;
	return s;
}

static int read_verdefs(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, struct elf_info *info,
			const char *path, struct gm_err **err)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t off = 0;
	if (!d)
		return gm_err_set(err, GM_EXIT_FINDINGS, 0, "'%s': unreadable .gnu.version_d: %s",
				  path, elf_errmsg(-1));
	/* sh_info bounds the chain; a loop in vd_next cannot run past it. */
	for (size_t i = 0; i < sh->sh_info; i++) {
		GElf_Verdef vd;
		GElf_Verdaux va;
		if (off >= d->d_size || !gelf_getverdef(d, (int)off, &vd))
			return gm_err_set(err, GM_EXIT_FINDINGS, 0,
					  "'%s': version definition %zu out of range", path, i);
		if (vd.vd_cnt > 0 && !(vd.vd_flags & VER_FLG_BASE)) {
			if (off + vd.vd_aux >= d->d_size || !gelf_getverdaux(d, (int)(off + vd.vd_aux), &va))
				return gm_err_set(err, GM_EXIT_FINDINGS, 0,
						  "'%s': version definition %zu has a bad aux entry", path, i);
			const char *name = safe_str(e, sh->sh_link, va.vda_name);
			if (!name)
				return gm_err_set(err, GM_EXIT_FINDINGS, 0,
						  "'%s': version definition %zu has a bad name", path, i);
			if (!strv_contains(info->verdefs, name))
				strv_push(&info->verdefs, name);
		}
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	return 0;
}

static int read_soname(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, struct elf_info *info)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!d || sh->sh_entsize == 0)
		return 0;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_SONAME) {
			const char *s = safe_str(e, sh->sh_link, dyn.d_un.d_val);
			if (s)
				info->soname = xstrdup(s);
		}
	}
	return 0;
}

int elf_info_read(const char *path, struct elf_info *info, struct gm_err **err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char magic[4];
	int r = 1;

	memset(info, 0, sizeof(*info));
	if (fd < 0)
		return gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
				  "cannot open '%s'", path);
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, ELFMAG, SELFMAG) != 0)
		return 0;
	elf_init_once();
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		return gm_err_set(err, GM_EXIT_FINDINGS, 0, "'%s': not a valid ELF file: %s", path,
				  elf_errmsg(-1));
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh)) {
		elf_end(e);
		return gm_err_set(err, GM_EXIT_FINDINGS, 0, "'%s': bad ELF header: %s", path,
				  elf_errmsg(-1));
	}
	info->elfclass = gelf_getclass(e);
	info->machine = eh.e_machine;
	info->verdefs = xcalloc(1, sizeof(char *));
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn)) && r > 0) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh)) {
			r = gm_err_set(err, GM_EXIT_FINDINGS, 0, "'%s': bad section header: %s", path,
				       elf_errmsg(-1));
			break;
		}
		if (sh.sh_type == SHT_GNU_verdef && read_verdefs(e, scn, &sh, info, path, err) < 0)
			r = -1;
		else if (sh.sh_type == SHT_DYNAMIC)
			read_soname(e, scn, &sh, info);
	}
	elf_end(e);
	if (r < 0)
		elf_info_release(info);
	return r;
}

void elf_info_release(struct elf_info *info)
{
	free(info->soname);
	strv_free(info->verdefs);
	memset(info, 0, sizeof(*info));
}
