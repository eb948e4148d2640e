/* PT_INTERP / DT_RUNPATH / DT_RPATH patcher; the contract and the layout
 * policy are in elfpatch.h.  libelf reads and bounds-checks the input
 * (ELF_C_READ_MMAP, gelf_*); the output is the input's bytes with edits,
 * plus one appended region, and every structure is encoded with
 * gelf_xlatetof so byte order and class are libelf's business.  libelf's
 * own writer is not used: it re-lays out sections, which an executable's
 * segments cannot survive. */
#define _GNU_SOURCE
#include "elf/elfpatch.h"
#include "base/cleanup.h"
#include "elf/elfinfo.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Keeping the new segment at the first PT_LOAD's offset-to-address delta
 * leaves a hole of about the size of .bss; past this it is not worth it
 * and the segment follows the end of the file instead. */
#define HOLE_MAX (256ULL << 20)
/* Free DT_NULL slots left in a moved .dynamic for the next tool. */
#define DYN_SPARE 4

struct patcher {
	const char *path;
	Elf *e;
	const unsigned char *raw;
	size_t size;
	int cls;
	unsigned char encoding;
	GElf_Ehdr eh;
	size_t phnum, phent;
	GElf_Phdr *ph;          /* phnum + 1 slots: room for the new PT_LOAD */
	int interp_ph, dyn_ph;  /* -1: absent */
	size_t shnum, shent;
	GElf_Shdr *sh;
	bool *sh_dirty;
	size_t interp_sec, dyn_sec, str_sec; /* 0: absent */
	GElf_Dyn *dyn;
	size_t ndyn, nused, dynent; /* slots, entries before the first DT_NULL */
	bool dyn_dirty;
	bool have_str;
	GElf_Addr strtab;
	size_t strsz, stroff;
	bool encode_failed;
	int fd;                 /* the input */

	/* The input's bytes plus in-place edits: a private copy-on-write
	 * mapping, so only edited pages are copied; dirty lists the edits. */
	unsigned char *out;
	struct range { size_t off, len; } *dirty;
	size_t n_dirty;
	unsigned char *add;     /* the appended region */
	size_t add_len;
	GElf_Off add_off;
	GElf_Addr add_vaddr;
	bool move_interp, move_str, move_dyn;
	const char *interp, *newstr;
	size_t interp_len, newstr_len; /* with the NUL */
	size_t new_ndyn;
	size_t at_dyn, at_interp, at_str; /* positions inside the region */
};

static int bad(const struct patcher *p, struct gm_err **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(const struct patcher *p, struct gm_err **err, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	gm_err_set(err, GM_EXIT_FINDINGS, 0, "'%s': %s", p->path, msg ? msg : "malformed");
	free(msg);
	return -1;
}

static bool align_up(uint64_t v, uint64_t a, uint64_t *ret)
{
	uint64_t r;
	if (a <= 1) {
		*ret = v;
		return true;
	}
	if (__builtin_add_overflow(v, a - 1, &r))
		return false;
	*ret = r & ~(a - 1);
	return true;
}

/* --- encoding into file representation ---------------------------------- */

/* Records that out[off, off + len) differs from the input. */
static void mark(struct patcher *p, size_t off, size_t len)
{
	p->dirty = xrealloc(p->dirty, (p->n_dirty + 1) * sizeof(*p->dirty));
	p->dirty[p->n_dirty++] = (struct range){off, len};
}

static void put(struct patcher *p, void *dst, Elf_Type type, const void *src, size_t n)
{
	Elf_Data s = {.d_buf = (void *)src, .d_type = type, .d_size = n,
		      .d_version = EV_CURRENT};
	Elf_Data d = {.d_buf = dst, .d_type = type, .d_size = n, .d_version = EV_CURRENT};
	if (!gelf_xlatetof(p->e, &d, &s, p->encoding))
		p->encode_failed = true;
}

static void put_ehdr(struct patcher *p, void *dst, const GElf_Ehdr *h)
{
	Elf32_Ehdr h32;
	if (p->cls == ELFCLASS64) {
		put(p, dst, ELF_T_EHDR, h, sizeof(*h));
		return;
	}
	memcpy(h32.e_ident, h->e_ident, EI_NIDENT);
	h32.e_type = h->e_type;
	h32.e_machine = h->e_machine;
	h32.e_version = (Elf32_Word)h->e_version;
	h32.e_entry = (Elf32_Addr)h->e_entry;
	h32.e_phoff = (Elf32_Off)h->e_phoff;
	h32.e_shoff = (Elf32_Off)h->e_shoff;
	h32.e_flags = h->e_flags;
	h32.e_ehsize = h->e_ehsize;
	h32.e_phentsize = h->e_phentsize;
	h32.e_phnum = h->e_phnum;
	h32.e_shentsize = h->e_shentsize;
	h32.e_shnum = h->e_shnum;
	h32.e_shstrndx = h->e_shstrndx;
	put(p, dst, ELF_T_EHDR, &h32, sizeof(h32));
}

static void put_phdr(struct patcher *p, void *dst, const GElf_Phdr *h)
{
	if (p->cls == ELFCLASS64) {
		put(p, dst, ELF_T_PHDR, h, sizeof(*h));
		return;
	}
	Elf32_Phdr h32 = {
		.p_type = h->p_type, .p_offset = (Elf32_Off)h->p_offset,
		.p_vaddr = (Elf32_Addr)h->p_vaddr, .p_paddr = (Elf32_Addr)h->p_paddr,
		.p_filesz = (Elf32_Word)h->p_filesz, .p_memsz = (Elf32_Word)h->p_memsz,
		.p_flags = h->p_flags, .p_align = (Elf32_Word)h->p_align,
	};
	put(p, dst, ELF_T_PHDR, &h32, sizeof(h32));
}

static void put_shdr(struct patcher *p, void *dst, const GElf_Shdr *h)
{
	if (p->cls == ELFCLASS64) {
		put(p, dst, ELF_T_SHDR, h, sizeof(*h));
		return;
	}
	Elf32_Shdr h32 = {
		.sh_name = h->sh_name, .sh_type = h->sh_type,
		.sh_flags = (Elf32_Word)h->sh_flags, .sh_addr = (Elf32_Addr)h->sh_addr,
		.sh_offset = (Elf32_Off)h->sh_offset, .sh_size = (Elf32_Word)h->sh_size,
		.sh_link = h->sh_link, .sh_info = h->sh_info,
		.sh_addralign = (Elf32_Word)h->sh_addralign,
		.sh_entsize = (Elf32_Word)h->sh_entsize,
	};
	put(p, dst, ELF_T_SHDR, &h32, sizeof(h32));
}

static void put_dyn(struct patcher *p, void *dst, const GElf_Dyn *d)
{
	if (p->cls == ELFCLASS64) {
		put(p, dst, ELF_T_DYN, d, sizeof(*d));
		return;
	}
	Elf32_Dyn d32 = {.d_tag = (Elf32_Sword)d->d_tag, .d_un.d_val = (Elf32_Word)d->d_un.d_val};
	put(p, dst, ELF_T_DYN, &d32, sizeof(d32));
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
		return bad(p, err, "PT_LOAD %zu has an alignment that is not a power of two", i);
	if (ph->p_filesz > ph->p_memsz)
		return bad(p, err, "PT_LOAD %zu has a file size above its memory size", i);
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end))
		return bad(p, err, "PT_LOAD %zu wraps around the address space", i);
	if (prev && ph->p_vaddr < prev->p_vaddr)
		return bad(p, err, "PT_LOAD segments are not sorted by address");
	return 0;
}

static int load_phdrs(struct patcher *p, struct gm_err **err)
{
	const GElf_Phdr *prev_load = NULL;
	if (elf_getphdrnum(p->e, &p->phnum) < 0)
		return bad(p, err, "bad program header count: %s", elf_errmsg(-1));
	if (p->phnum == 0)
		return bad(p, err, "no program headers");
	if (p->phnum >= PN_XNUM - 1)
		return bad(p, err, "too many program headers (%zu)", p->phnum);
	p->phent = gelf_fsize(p->e, ELF_T_PHDR, 1, EV_CURRENT);
	if (p->eh.e_phentsize != p->phent)
		return bad(p, err, "unexpected program header size %u", p->eh.e_phentsize);
	if (!in_file(p, p->eh.e_phoff, p->phnum * p->phent))
		return bad(p, err, "the program header table lies outside the file");
	p->ph = xcalloc(p->phnum + 1, sizeof(*p->ph));
	p->interp_ph = p->dyn_ph = -1;
	for (size_t i = 0; i < p->phnum; i++) {
		GElf_Phdr *ph = &p->ph[i];
		if (!gelf_getphdr(p->e, (int)i, ph))
			return bad(p, err, "program header %zu: %s", i, elf_errmsg(-1));
		if (ph->p_filesz && !in_file(p, ph->p_offset, ph->p_filesz))
			return bad(p, err, "program header %zu lies outside the file", i);
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
		return bad(p, err, "no PT_LOAD segment");
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
		return bad(p, err, "bad section header count: %s", elf_errmsg(-1));
	if (p->shnum == 0)
		return 0;
	p->shent = gelf_fsize(p->e, ELF_T_SHDR, 1, EV_CURRENT);
	if (p->eh.e_shentsize != p->shent || p->shnum > p->size / p->shent ||
	    !in_file(p, p->eh.e_shoff, p->shnum * p->shent))
		return bad(p, err, "the section header table lies outside the file");
	p->sh = xcalloc(p->shnum, sizeof(*p->sh));
	p->sh_dirty = xcalloc(p->shnum, sizeof(*p->sh_dirty));
	for (size_t i = 0; i < p->shnum; i++) {
		Elf_Scn *scn = elf_getscn(p->e, i);
		if (!scn || !gelf_getshdr(scn, &p->sh[i]))
			return bad(p, err, "section header %zu: %s", i, elf_errmsg(-1));
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
		return bad(p, err, "unreadable PT_DYNAMIC: %s", elf_errmsg(-1));
	p->dyn = xcalloc(p->ndyn + 1, sizeof(*p->dyn));
	p->nused = p->ndyn;
	for (size_t i = 0; i < p->ndyn; i++) {
		if (!gelf_getdyn(d, (int)i, &p->dyn[i]))
			return bad(p, err, "dynamic entry %zu: %s", i, elf_errmsg(-1));
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
		return bad(p, err, "the dynamic section has no DT_NULL terminator");
	if (have_strtab && have_strsz && strsz > 0 && strsz <= p->size &&
	    vaddr_to_off(p, p->strtab, strsz, &p->stroff)) {
		p->strsz = (size_t)strsz;
		p->have_str = true;
		p->str_sec = find_str_sec(p);
	}
	return 0;
}

/* --- does anything else use bytes of a .dynstr string? ------------------- */

static bool hits(uint64_t ref, size_t off, size_t len)
{
	return ref >= off && ref - off < len;
}

static bool syms_hit(const struct patcher *p, Elf_Data *d, const GElf_Shdr *sh, size_t off,
		     size_t len)
{
	size_t n = sh->sh_entsize ? d->d_size / sh->sh_entsize : 0;
	(void)p;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s) || hits(s.st_name, off, len))
			return true;
	}
	return false;
}

static bool verneed_hit(Elf_Data *d, const GElf_Shdr *sh, size_t off, size_t len)
{
	size_t pos = 0;
	for (size_t i = 0; i < sh->sh_info && i < d->d_size; i++) {
		GElf_Verneed vn;
		if (!gelf_getverneed(d, (int)pos, &vn) || hits(vn.vn_file, off, len))
			return true;
		size_t apos = pos + vn.vn_aux;
		for (size_t k = 0; k < vn.vn_cnt && k < d->d_size; k++) {
			GElf_Vernaux va;
			if (apos >= d->d_size || !gelf_getvernaux(d, (int)apos, &va) ||
			    hits(va.vna_name, off, len))
				return true;
			if (va.vna_next == 0)
				break;
			apos += va.vna_next;
		}
		if (vn.vn_next == 0)
			break;
		pos += vn.vn_next;
		if (pos >= d->d_size)
			return true;
	}
	return false;
}

static bool verdef_hit(Elf_Data *d, const GElf_Shdr *sh, size_t off, size_t len)
{
	size_t pos = 0;
	for (size_t i = 0; i < sh->sh_info && i < d->d_size; i++) {
		GElf_Verdef vd;
		if (!gelf_getverdef(d, (int)pos, &vd))
			return true;
		size_t apos = pos + vd.vd_aux;
		for (size_t k = 0; k < vd.vd_cnt && k < d->d_size; k++) {
			GElf_Verdaux va;
			if (apos >= d->d_size || !gelf_getverdaux(d, (int)apos, &va) ||
			    hits(va.vda_name, off, len))
				return true;
			if (va.vda_next == 0)
				break;
			apos += va.vda_next;
		}
		if (vd.vd_next == 0)
			break;
		pos += vd.vd_next;
		if (pos >= d->d_size)
			return true;
	}
	return false;
}

static bool section_hit(const struct patcher *p, size_t i, size_t off, size_t len)
{
	const GElf_Shdr *sh = &p->sh[i];
	Elf_Scn *scn = elf_getscn(p->e, i);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	if (sh->sh_type == SHT_DYNAMIC)
		return false; /* the dynamic entries are checked from PT_DYNAMIC */
	if (!d)
		return sh->sh_size != 0;
	switch (sh->sh_type) {
	case SHT_DYNSYM: case SHT_SYMTAB:
		return syms_hit(p, d, sh, off, len);
	case SHT_GNU_verneed:
		return verneed_hit(d, sh, off, len);
	case SHT_GNU_verdef:
		return verdef_hit(d, sh, off, len);
	default:
		return true; /* unknown user of .dynstr: assume the worst */
	}
}

/* True when a reference other than DT_RUNPATH/DT_RPATH points into
 * [off, off + len) of .dynstr, so overwriting those bytes would change it.
 * Without section headers nothing can be proven: true. */
static bool string_shared(const struct patcher *p, size_t off, size_t len)
{
	if (!p->str_sec)
		return true;
	for (size_t i = 0; i < p->nused; i++) {
		switch (p->dyn[i].d_tag) {
		case DT_NEEDED: case DT_SONAME: case DT_AUXILIARY: case DT_FILTER:
		case DT_CONFIG: case DT_DEPAUDIT: case DT_AUDIT:
			if (hits(p->dyn[i].d_un.d_val, off, len))
				return true;
		}
	}
	for (size_t i = 1; i < p->shnum; i++)
		if (p->sh[i].sh_link == p->str_sec && section_hit(p, i, off, len))
			return true;
	return false;
}

/* --- planning ------------------------------------------------------------ */

static bool is_path_tag(GElf_Sxword tag)
{
	return tag == DT_RPATH || tag == DT_RUNPATH;
}

/* Removes search-path entries from index `from` on, shifting the rest down
 * and padding with DT_NULL. */
static void drop_path_entries(struct patcher *p, size_t from)
{
	size_t k = from;
	for (size_t i = from; i < p->nused; i++)
		if (!is_path_tag(p->dyn[i].d_tag))
			p->dyn[k++] = p->dyn[i];
	if (k == p->nused)
		return;
	for (size_t i = k; i < p->ndyn; i++)
		memset(&p->dyn[i], 0, sizeof(p->dyn[i]));
	p->nused = k;
	p->dyn_dirty = true;
}

static const char *dynstr_at(const struct patcher *p, uint64_t off, size_t *ret_len)
{
	const char *s, *nul;
	if (off >= p->strsz)
		return NULL;
	s = (const char *)p->raw + p->stroff + off;
	nul = memchr(s, '\0', p->strsz - off);
	if (!nul)
		return NULL;
	*ret_len = (size_t)(nul - s);
	return s;
}

/* Points entry k at the new string: over the old one if it fits and nobody
 * else uses its bytes, else at the end of a moved .dynstr. */
static int reuse_entry(struct patcher *p, size_t k, struct gm_err **err)
{
	size_t old_len, new_len = p->newstr_len - 1;
	uint64_t off = p->dyn[k].d_un.d_val;
	if (!dynstr_at(p, off, &old_len))
		return bad(p, err, "DT_RUNPATH/DT_RPATH names a string outside .dynstr");
	if (new_len <= old_len && !string_shared(p, (size_t)off, old_len)) {
		unsigned char *dst = p->out + p->stroff + off;
		memset(dst, 0, old_len);
		memcpy(dst, p->newstr, new_len);
		mark(p, p->stroff + (size_t)off, old_len);
		return 0;
	}
	p->move_str = true;
	p->dyn[k].d_un.d_val = p->strsz;
	return 0;
}

/* A new entry: in a spare DT_NULL slot if .dynamic has one beyond its
 * terminator, else .dynamic moves to the new segment with room to spare. */
static void add_entry(struct patcher *p, GElf_Sxword tag)
{
	p->move_str = true;
	if (p->nused + 1 >= p->ndyn) {
		p->move_dyn = true;
		p->new_ndyn = p->nused + 2 + DYN_SPARE;
		p->dyn = xrealloc(p->dyn, p->new_ndyn * sizeof(*p->dyn));
		memset(p->dyn + p->nused, 0, (p->new_ndyn - p->nused) * sizeof(*p->dyn));
		p->ndyn = p->new_ndyn;
	}
	p->dyn[p->nused].d_tag = tag;
	p->dyn[p->nused].d_un.d_val = p->strsz;
	p->nused++;
	memset(&p->dyn[p->nused], 0, sizeof(p->dyn[p->nused]));
}

static int plan_path(struct patcher *p, const struct elf_patch_opts *o, struct gm_err **err)
{
	GElf_Sxword tag = o->path_op == ELF_PATCH_PATH_RPATH ? DT_RPATH : DT_RUNPATH;
	size_t k;
	if (o->path_op == ELF_PATCH_PATH_KEEP)
		return 0;
	if (p->dyn_ph < 0)
		return bad(p, err, "no dynamic section (a static executable?): no search path to change");
	if (o->path_op == ELF_PATCH_PATH_REMOVE) {
		drop_path_entries(p, 0);
		return 0;
	}
	if (!p->have_str)
		return bad(p, err, "DT_STRTAB/DT_STRSZ missing or outside the loaded file");
	if (p->shnum == 0)
		return bad(p, err, "no section headers: the result could not be verified");
	p->newstr = o->path;
	p->newstr_len = strlen(o->path) + 1;
	p->dyn_dirty = true;
	for (k = 0; k < p->nused && !is_path_tag(p->dyn[k].d_tag); k++)
		;
	if (k == p->nused) {
		add_entry(p, tag);
		return 0;
	}
	p->dyn[k].d_tag = tag;
	drop_path_entries(p, k + 1);
	return reuse_entry(p, k, err);
}

static int plan_interp(struct patcher *p, const struct elf_patch_opts *o, struct gm_err **err)
{
	GElf_Phdr *ph;
	if (!o->interp)
		return 0;
	if (p->interp_ph < 0)
		return bad(p, err, "no PT_INTERP (a static executable or a shared library): "
				   "no interpreter to replace");
	ph = &p->ph[p->interp_ph];
	p->interp = o->interp;
	p->interp_len = strlen(o->interp) + 1;
	if (p->interp_len <= ph->p_filesz) {
		/* Sizes stay: the kernel wants a NUL as the last byte, the
		 * loaders read up to the first one. */
		memset(p->out + ph->p_offset, 0, ph->p_filesz);
		memcpy(p->out + ph->p_offset, p->interp, p->interp_len);
		mark(p, ph->p_offset, ph->p_filesz);
		return 0;
	}
	p->move_interp = true;
	return 0;
}

/* --- the appended segment ------------------------------------------------ */

/* Chooses add_off and add_vaddr (see elfpatch.h for why this delta). */
static int place(struct patcher *p, struct gm_err **err)
{
	uint64_t max_end = 0, align = 0x1000, base_off, v, off, end;
	const GElf_Phdr *first = NULL;
	for (size_t i = 0; i < p->phnum; i++) {
		const GElf_Phdr *ph = &p->ph[i];
		if (ph->p_type != PT_LOAD)
			continue;
		first = first ? first : ph;
		if (ph->p_vaddr + ph->p_memsz > max_end)
			max_end = ph->p_vaddr + ph->p_memsz;
		if (ph->p_align > align)
			align = ph->p_align;
	}
	if (!first)
		return bad(p, err, "no PT_LOAD segment");
	if (!align_up(p->size, 8, &base_off) || !align_up(max_end, align, &v))
		return bad(p, err, "no address space left for a new segment");
	if (first->p_vaddr >= first->p_offset && (first->p_vaddr - first->p_offset) % align == 0) {
		uint64_t delta = first->p_vaddr - first->p_offset;
		if (v - delta < base_off && !align_up(base_off + delta, align, &v))
			return bad(p, err, "no address space left for a new segment");
		off = v - delta;
		if (off >= base_off && off - p->size <= HOLE_MAX)
			goto done;
		if (!align_up(max_end, align, &v))
			return bad(p, err, "no address space left for a new segment");
	}
	off = base_off;
	if (__builtin_add_overflow(v, off % align, &v))
		return bad(p, err, "no address space left for a new segment");
done:
	if (__builtin_add_overflow(v, p->add_len, &end) ||
	    (p->cls == ELFCLASS32 && (end > UINT32_MAX || off + p->add_len > UINT32_MAX)))
		return bad(p, err, "no address space left for a new segment");
	p->add_off = off;
	p->add_vaddr = v;
	return 0;
}

static void set_region_ph(GElf_Phdr *ph, uint64_t off, uint64_t vaddr, uint64_t len)
{
	ph->p_offset = off;
	ph->p_vaddr = ph->p_paddr = vaddr;
	ph->p_filesz = ph->p_memsz = len;
}

static void set_region_sh(struct patcher *p, size_t i, uint64_t off, uint64_t vaddr, uint64_t len)
{
	if (!i)
		return;
	p->sh[i].sh_offset = off;
	p->sh[i].sh_addr = vaddr;
	p->sh[i].sh_size = len;
	p->sh_dirty[i] = true;
}

static void set_dyn_val(struct patcher *p, GElf_Sxword tag, uint64_t val)
{
	for (size_t i = 0; i < p->nused; i++)
		if (p->dyn[i].d_tag == tag)
			p->dyn[i].d_un.d_val = val;
}

/* Sizes the region: program headers first, then .dynamic, then strings. */
static void size_region(struct patcher *p)
{
	size_t pos = (p->phnum + 1) * p->phent;
	if (p->move_dyn) {
		pos = (pos + 7) & ~(size_t)7;
		p->at_dyn = pos;
		pos += p->new_ndyn * p->dynent;
	}
	if (p->move_interp) {
		p->at_interp = pos;
		pos += p->interp_len;
	}
	if (p->move_str) {
		p->at_str = pos;
		pos += p->strsz + p->newstr_len;
	}
	p->add_len = pos;
}

/* Inserts the new PT_LOAD after the last one: it has the highest address. */
static void insert_load(struct patcher *p)
{
	size_t last = 0;
	uint64_t align = 0x1000;
	for (size_t i = 0; i < p->phnum; i++)
		if (p->ph[i].p_type == PT_LOAD) {
			last = i;
			if (p->ph[i].p_align > align)
				align = p->ph[i].p_align;
		}
	memmove(&p->ph[last + 2], &p->ph[last + 1], (p->phnum - last - 1) * sizeof(*p->ph));
	GElf_Phdr *ph = &p->ph[last + 1];
	memset(ph, 0, sizeof(*ph));
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | (p->move_dyn ? PF_W : 0);
	ph->p_align = align;
	set_region_ph(ph, p->add_off, p->add_vaddr, p->add_len);
	p->phnum++;
}

static int build_region(struct patcher *p, struct gm_err **err)
{
	uint64_t off, va;
	size_region(p);
	if (place(p, err) < 0)
		return -1;
	off = p->add_off;
	va = p->add_vaddr;
	p->add = xcalloc(1, p->add_len);
	if (p->move_interp) {
		memcpy(p->add + p->at_interp, p->interp, p->interp_len);
		set_region_ph(&p->ph[p->interp_ph], off + p->at_interp, va + p->at_interp,
			      p->interp_len);
		set_region_sh(p, p->interp_sec, off + p->at_interp, va + p->at_interp, p->interp_len);
	}
	if (p->move_str) {
		size_t n = p->strsz + p->newstr_len;
		memcpy(p->add + p->at_str, p->raw + p->stroff, p->strsz);
		memcpy(p->add + p->at_str + p->strsz, p->newstr, p->newstr_len);
		set_dyn_val(p, DT_STRTAB, va + p->at_str);
		set_dyn_val(p, DT_STRSZ, n);
		set_region_sh(p, p->str_sec, off + p->at_str, va + p->at_str, n);
	}
	if (p->move_dyn) {
		size_t n = p->new_ndyn * p->dynent;
		set_region_ph(&p->ph[p->dyn_ph], off + p->at_dyn, va + p->at_dyn, n);
		set_region_sh(p, p->dyn_sec, off + p->at_dyn, va + p->at_dyn, n);
	}
	for (size_t i = 0; i < p->phnum; i++)
		if (p->ph[i].p_type == PT_PHDR)
			set_region_ph(&p->ph[i], off, va, (p->phnum + 1) * p->phent);
	insert_load(p);
	p->eh.e_phoff = off;
	p->eh.e_phnum = (GElf_Half)p->phnum;
	return 0;
}

/* Encodes the edited headers and entries into out and add. */
static int emit(struct patcher *p, struct gm_err **err)
{
	if (p->add) {
		put_ehdr(p, p->out, &p->eh);
		mark(p, 0, gelf_fsize(p->e, ELF_T_EHDR, 1, EV_CURRENT));
		for (size_t i = 0; i < p->phnum; i++)
			put_phdr(p, p->add + i * p->phent, &p->ph[i]);
	}
	if (p->move_dyn || p->dyn_dirty) {
		size_t off = p->ph[p->dyn_ph].p_offset;
		unsigned char *dst = p->move_dyn ? p->add + p->at_dyn : p->out + off;
		for (size_t i = 0; i < p->ndyn; i++)
			put_dyn(p, dst + i * p->dynent, &p->dyn[i]);
		if (!p->move_dyn)
			mark(p, off, p->ndyn * p->dynent);
	}
	for (size_t i = 0; i < p->shnum; i++)
		if (p->sh_dirty[i]) {
			put_shdr(p, p->out + p->eh.e_shoff + i * p->shent, &p->sh[i]);
			mark(p, p->eh.e_shoff + i * p->shent, p->shent);
		}
	if (p->encode_failed)
		return gm_err_set(err, GM_EXIT_INFRA, 0, "'%s': cannot encode ELF data: %s",
				  p->path, elf_errmsg(-1));
	return 0;
}

static int plan(struct patcher *p, const struct elf_patch_opts *o, struct gm_err **err)
{
	int dyn_ph = p->dyn_ph;
	if (plan_path(p, o, err) < 0 || plan_interp(p, o, err) < 0)
		return -1;
	if ((p->move_interp || p->move_str || p->move_dyn) && build_region(p, err) < 0)
		return -1;
	/* insert_load may have shifted PT_DYNAMIC by one slot. */
	for (size_t i = 0; dyn_ph >= 0 && i < p->phnum; i++)
		if (p->ph[i].p_type == PT_DYNAMIC) {
			p->dyn_ph = (int)i;
			break;
		}
	return emit(p, err);
}

/* --- reading a file into a patcher --------------------------------------- */

static void patcher_release(struct patcher *p)
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
static int patcher_load(struct patcher *p, int fd, bool full, struct gm_err **err)
{
	size_t size;
	elf_version(EV_CURRENT);
	p->e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!p->e || elf_kind(p->e) != ELF_K_ELF)
		return bad(p, err, "not an ELF file: %s", elf_errmsg(-1));
	p->raw = (const unsigned char *)elf_rawfile(p->e, &size);
	p->size = size;
	if (!p->raw || !gelf_getehdr(p->e, &p->eh))
		return bad(p, err, "bad ELF header: %s", elf_errmsg(-1));
	p->cls = gelf_getclass(p->e);
	p->encoding = p->eh.e_ident[EI_DATA];
	if (p->eh.e_type != ET_EXEC && p->eh.e_type != ET_DYN)
		return bad(p, err, "not an executable or shared library (e_type %u)", p->eh.e_type);
	if (load_phdrs(p, err) < 0)
		return -1;
	if (!full)
		return 0;
	return load_shdrs(p, err) < 0 ? -1 : load_dynamic(p, err);
}

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
	else if (strv_len(got.needed) != strv_len(orig->needed))
		what = "DT_NEEDED";
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

static char *temp_name(const char *out)
{
	const char *slash = strrchr(out, '/');
	if (!slash)
		return xasprintf(".%s.tmp.XXXXXX", out);
	return xasprintf("%.*s/.%s.tmp.XXXXXX", (int)(slash - out), out, slash + 1);
}

/* Writes the output to a temporary file beside out and checks it; the
 * caller makes it durable and renames it.  Returns the temporary name. */
static char *write_checked(struct patcher *p, const char *out, mode_t mode,
			   const struct elf_info *orig, const struct elf_patch_opts *o,
			   struct gm_err **err)
{
	char *tmp = temp_name(out);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		gm_err_set(err, errno == ENOENT || errno == ENOTDIR ? GM_EXIT_USAGE : GM_EXIT_INFRA,
			   errno, "cannot create a file beside '%s'", out);
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode & 0777) < 0)
		gm_infra(err, errno, "cannot set the mode of '%s'", tmp);
	else if (write_image(p, fd, tmp, err) == 0 &&
		 check_layout(tmp, p->path, err) == 0 && check_meaning(tmp, p->path, orig, o, err) == 0) {
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
	int fd = open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gm_err_set(err, errno == ENOENT ? GM_EXIT_USAGE : GM_EXIT_INFRA, errno,
				  "cannot open '%s'", in);
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return gm_usage(err, "'%s' is not a regular file", in);
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
			bad(&p, err, "not an ELF file");
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
	if (plan(&p, o, err) < 0 || !(tmp = write_checked(&p, out, st.st_mode, &orig, o, err)))
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
