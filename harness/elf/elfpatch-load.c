/* The patcher's reader: libelf maps and bounds-checks the input
 * (ELF_C_READ_MMAP, gelf_*); every offset, size and count the patch will
 * touch is validated here, before anything is planned. */
#define _GNU_SOURCE
#include "elf/elfpatch-int.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int patcher_bad(const struct patcher *p, struct gm_err **err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': %s", p->path, msg ? msg : "malformed");
	free(msg);
	return -1;
}


/* --- reading and validating the input ----------------------------------- */

static bool in_file(const struct patcher *p, uint64_t off, uint64_t len)
{
	return off <= p->size && len <= p->size - off;
}

static int check_load(const struct patcher *p, size_t i, const GElf_Phdr *ph,
		      const GElf_Phdr *prev, struct gm_err **err)
{
	uint64_t end;
	if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)) != 0)
		return patcher_bad(p, err, "PT_LOAD %zu has an alignment that is not a power of two", i);
	if (ph->p_filesz > ph->p_memsz)
		return patcher_bad(p, err, "PT_LOAD %zu has a file size above its memory size", i);
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end))
		return patcher_bad(p, err, "PT_LOAD %zu wraps around the address space", i);
	if (prev && ph->p_vaddr < prev->p_vaddr)
		return patcher_bad(p, err, "PT_LOAD segments are not sorted by address");
	return 0;
}

static int load_phdrs(struct patcher *p, struct gm_err **err)
{
	const GElf_Phdr *prev_load = NULL;
	if (elf_getphdrnum(p->e, &p->phnum) < 0)
		return patcher_bad(p, err, "bad program header count: %s", elf_errmsg(-1));
	if (p->phnum == 0)
		return patcher_bad(p, err, "no program headers");
	if (p->phnum >= PN_XNUM - 1)
		return patcher_bad(p, err, "too many program headers (%zu)", p->phnum);
	p->phent = gelf_fsize(p->e, ELF_T_PHDR, 1, EV_CURRENT);
	if (p->eh.e_phentsize != p->phent)
		return patcher_bad(p, err, "unexpected program header size %u", p->eh.e_phentsize);
	if (!in_file(p, p->eh.e_phoff, p->phnum * p->phent))
		return patcher_bad(p, err, "the program header table lies outside the file");
	p->ph = xcalloc(p->phnum + 1, sizeof(*p->ph));
	p->interp_ph = p->dyn_ph = -1;
	for (size_t i = 0; i < p->phnum; i++) {
		GElf_Phdr *ph = &p->ph[i];
		if (!gelf_getphdr(p->e, (int)i, ph))
			return patcher_bad(p, err, "program header %zu: %s", i, elf_errmsg(-1));
		if (ph->p_filesz && !in_file(p, ph->p_offset, ph->p_filesz))
			return patcher_bad(p, err, "program header %zu lies outside the file", i);
		if (ph->p_type == PT_LOAD) {
			if (check_load(p, i, ph, prev_load, err) < 0)
				return -1;
			prev_load = ph;
		} else if (ph->p_type == PT_INTERP && p->interp_ph < 0) {
			p->interp_ph = (int)i;
		} else if (ph->p_type == PT_DYNAMIC && p->dyn_ph < 0) {
			p->dyn_ph = (int)i;
		}
	}
	if (!prev_load)
		return patcher_bad(p, err, "no PT_LOAD segment");
	return 0;
}

/* The section whose bytes are those of program header ph, or 0. */
static size_t section_at(const struct patcher *p, const GElf_Phdr *ph, GElf_Word type)
{
	for (size_t i = 1; i < p->shnum; i++)
		if (p->sh[i].sh_type == type && p->sh[i].sh_offset == ph->p_offset &&
		    p->sh[i].sh_addr == ph->p_vaddr)
			return i;
	return 0;
}

static int load_shdrs(struct patcher *p, struct gm_err **err)
{
	if (elf_getshdrnum(p->e, &p->shnum) < 0)
		return patcher_bad(p, err, "bad section header count: %s", elf_errmsg(-1));
	if (p->shnum == 0)
		return 0;
	p->shent = gelf_fsize(p->e, ELF_T_SHDR, 1, EV_CURRENT);
	if (p->eh.e_shentsize != p->shent || p->shnum > p->size / p->shent ||
	    !in_file(p, p->eh.e_shoff, p->shnum * p->shent))
		return patcher_bad(p, err, "the section header table lies outside the file");
	p->sh = xcalloc(p->shnum, sizeof(*p->sh));
	p->sh_dirty = xcalloc(p->shnum, sizeof(*p->sh_dirty));
	for (size_t i = 0; i < p->shnum; i++) {
		Elf_Scn *scn = elf_getscn(p->e, i);
		if (!scn || !gelf_getshdr(scn, &p->sh[i]))
			return patcher_bad(p, err, "section header %zu: %s", i, elf_errmsg(-1));
	}
	if (p->interp_ph >= 0)
		p->interp_sec = section_at(p, &p->ph[p->interp_ph], SHT_PROGBITS);
	if (p->dyn_ph >= 0)
		p->dyn_sec = section_at(p, &p->ph[p->dyn_ph], SHT_DYNAMIC);
	return 0;
}

/* File offset of [vaddr, vaddr + len) if one PT_LOAD maps it from the file. */
static bool vaddr_to_off(const struct patcher *p, uint64_t vaddr, uint64_t len, size_t *ret)
{
	for (size_t i = 0; i < p->phnum; i++) {
		const GElf_Phdr *ph = &p->ph[i];
		if (ph->p_type != PT_LOAD || vaddr < ph->p_vaddr)
			continue;
		uint64_t rel = vaddr - ph->p_vaddr;
		if (rel <= ph->p_filesz && len <= ph->p_filesz - rel) {
			*ret = (size_t)(ph->p_offset + rel);
			return true;
		}
	}
	return false;
}

/* .dynstr as a section: .dynamic's sh_link, or the string table at DT_STRTAB. */
static size_t find_str_sec(const struct patcher *p)
{
	size_t l = p->dyn_sec ? p->sh[p->dyn_sec].sh_link : 0;
	if (l > 0 && l < p->shnum && p->sh[l].sh_type == SHT_STRTAB && p->sh[l].sh_addr == p->strtab)
		return l;
	for (size_t i = 1; i < p->shnum; i++)
		if (p->sh[i].sh_type == SHT_STRTAB && (p->sh[i].sh_flags & SHF_ALLOC) &&
		    p->sh[i].sh_addr == p->strtab)
			return i;
	return 0;
}

static int load_dynamic(struct patcher *p, struct gm_err **err)
{
	const GElf_Phdr *ph;
	GElf_Xword strsz = 0;
	bool have_strtab = false, have_strsz = false;
	if (p->dyn_ph < 0)
		return 0;
	ph = &p->ph[p->dyn_ph];
	p->dynent = gelf_fsize(p->e, ELF_T_DYN, 1, EV_CURRENT);
	p->ndyn = ph->p_filesz / p->dynent;
	Elf_Data *d = p->ndyn ? elf_getdata_rawchunk(p->e, (int64_t)ph->p_offset,
						     p->ndyn * p->dynent, ELF_T_DYN)
			      : NULL;
	if (!d)
		return patcher_bad(p, err, "unreadable PT_DYNAMIC: %s", elf_errmsg(-1));
	p->dyn = xcalloc(p->ndyn + 1, sizeof(*p->dyn));
	p->nused = p->ndyn;
	for (size_t i = 0; i < p->ndyn; i++) {
		if (!gelf_getdyn(d, (int)i, &p->dyn[i]))
			return patcher_bad(p, err, "dynamic entry %zu: %s", i, elf_errmsg(-1));
		if (p->dyn[i].d_tag == DT_NULL && p->nused == p->ndyn)
			p->nused = i;
		if (p->nused < i)
			continue;
		if (p->dyn[i].d_tag == DT_STRTAB) {
			p->strtab = p->dyn[i].d_un.d_ptr;
			have_strtab = true;
		} else if (p->dyn[i].d_tag == DT_STRSZ) {
			strsz = p->dyn[i].d_un.d_val;
			have_strsz = true;
		}
	}
	if (p->nused == p->ndyn)
		return patcher_bad(p, err, "the dynamic section has no DT_NULL terminator");
	if (have_strtab && have_strsz && strsz > 0 && strsz <= p->size &&
	    vaddr_to_off(p, p->strtab, strsz, &p->stroff)) {
		p->strsz = (size_t)strsz;
		p->have_str = true;
		p->str_sec = find_str_sec(p);
	}
	return 0;
}


/* --- reading a file into a patcher --------------------------------------- */

void patcher_release(struct patcher *p)
{
	if (p->e)
		elf_end(p->e);
	free(p->ph);
	free(p->sh);
	free(p->sh_dirty);
	free(p->dyn);
	if (p->out && p->out != MAP_FAILED)
		munmap(p->out, p->size);
	free(p->dirty);
	free(p->add);
}

/* Opens path (fd) with libelf and reads and checks its headers. */
int patcher_load(struct patcher *p, int fd, bool full, struct gm_err **err)
{
	size_t size;
	elf_version(EV_CURRENT);
	p->e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!p->e || elf_kind(p->e) != ELF_K_ELF)
		return patcher_bad(p, err, "not an ELF file: %s", elf_errmsg(-1));
	p->raw = (const unsigned char *)elf_rawfile(p->e, &size);
	p->size = size;
	if (!p->raw || !gelf_getehdr(p->e, &p->eh))
		return patcher_bad(p, err, "bad ELF header: %s", elf_errmsg(-1));
	p->cls = gelf_getclass(p->e);
	p->encoding = p->eh.e_ident[EI_DATA];
	if (p->eh.e_type != ET_EXEC && p->eh.e_type != ET_DYN)
		return patcher_bad(p, err, "not an executable or shared library (e_type %u)", p->eh.e_type);
	if (load_phdrs(p, err) < 0)
		return -1;
	if (!full)
		return 0;
	return load_shdrs(p, err) < 0 ? -1 : load_dynamic(p, err);
}


