/* The patcher's planner: which strings fit in place, which structures
 * move into the one appended PT_LOAD, and their encoding (gelf_xlatetof,
 * so byte order and class are libelf's business). */
#define _GNU_SOURCE
#include "elf/elfpatch-int.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Keeping the new segment at the first PT_LOAD's offset-to-address delta
 * leaves a hole of about the size of .bss; past this it is not worth it
 * and the segment follows the end of the file instead. */
#define HOLE_MAX (256ULL << 20)
/* Free DT_NULL slots left in a moved .dynamic for the next tool. */
#define DYN_SPARE 4

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


/* --- does anything else use bytes of a .dynstr string? ------------------- */

/* Whether the string a reference names shares bytes with [off, off + len]
 * of .dynstr: it starts inside, or starts before and runs into it (ld
 * tail-merges strings, so "x.so" may be the end of "libx.so"). */
static bool hits(const struct patcher *p, uint64_t ref, size_t off, size_t len)
{
	if (ref >= off)
		return ref - off < len;
	const unsigned char *str = p->raw + p->stroff;
	return memchr(str + ref, '\0', off - (size_t)ref) == NULL;
}

static bool syms_hit(const struct patcher *p, Elf_Data *d, const GElf_Shdr *sh, size_t off,
		     size_t len)
{
	size_t n = sh->sh_entsize ? d->d_size / sh->sh_entsize : 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym s;
		if (!gelf_getsym(d, (int)i, &s) || hits(p, s.st_name, off, len))
			return true;
	}
	return false;
}

static bool verneed_hit(const struct patcher *p, Elf_Data *d, const GElf_Shdr *sh, size_t off,
			size_t len)
{
	size_t pos = 0;
	for (size_t i = 0; i < sh->sh_info && i < d->d_size; i++) {
		GElf_Verneed vn;
		if (!gelf_getverneed(d, (int)pos, &vn) || hits(p, vn.vn_file, off, len))
			return true;
		size_t apos = pos + vn.vn_aux;
		for (size_t k = 0; k < vn.vn_cnt && k < d->d_size; k++) {
			GElf_Vernaux va;
			if (apos >= d->d_size || !gelf_getvernaux(d, (int)apos, &va) ||
			    hits(p, va.vna_name, off, len))
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

static bool verdef_hit(const struct patcher *p, Elf_Data *d, const GElf_Shdr *sh, size_t off, size_t len)
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
			    hits(p, va.vda_name, off, len))
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
		return verneed_hit(p, d, sh, off, len);
	case SHT_GNU_verdef:
		return verdef_hit(p, d, sh, off, len);
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
			if (hits(p, p->dyn[i].d_un.d_val, off, len))
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
		return patcher_bad(p, err, "DT_RUNPATH/DT_RPATH names a string outside .dynstr");
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
		return patcher_bad(p, err, "no dynamic section (a static executable?): no search path to change");
	if (o->path_op == ELF_PATCH_PATH_REMOVE) {
		drop_path_entries(p, 0);
		return 0;
	}
	if (!p->have_str)
		return patcher_bad(p, err, "DT_STRTAB/DT_STRSZ missing or outside the loaded file");
	if (p->shnum == 0)
		return patcher_bad(p, err, "no section headers: the result could not be verified");
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
		return patcher_bad(p, err, "no PT_INTERP (a static executable or a shared library): "
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
	uint64_t max_end = 0, align = 0x1000, base_off, v, off, end, seg_end, shifted;
	const GElf_Phdr *first = NULL;
	for (size_t i = 0; i < p->phnum; i++) {
		const GElf_Phdr *ph = &p->ph[i];
		if (ph->p_type != PT_LOAD)
			continue;
		first = first ? first : ph;
		/* Crafted headers can wrap 64-bit arithmetic: every sum is checked. */
		if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &seg_end))
			return patcher_bad(p, err, "a PT_LOAD segment ends beyond the address space");
		if (seg_end > max_end)
			max_end = seg_end;
		if (ph->p_align > align)
			align = ph->p_align;
	}
	if (!first)
		return patcher_bad(p, err, "no PT_LOAD segment");
	if (!align_up(p->size, 8, &base_off) || !align_up(max_end, align, &v))
		return patcher_bad(p, err, "no address space left for a new segment");
	if (first->p_vaddr >= first->p_offset && (first->p_vaddr - first->p_offset) % align == 0) {
		uint64_t delta = first->p_vaddr - first->p_offset;
		if ((v < delta || v - delta < base_off) &&
		    (__builtin_add_overflow(base_off, delta, &shifted) || !align_up(shifted, align, &v)))
			return patcher_bad(p, err, "no address space left for a new segment");
		off = v - delta;
		if (off >= base_off && off - p->size <= HOLE_MAX)
			goto done;
		if (!align_up(max_end, align, &v))
			return patcher_bad(p, err, "no address space left for a new segment");
	}
	off = base_off;
	if (__builtin_add_overflow(v, off % align, &v))
		return patcher_bad(p, err, "no address space left for a new segment");
done:
	if (__builtin_add_overflow(v, p->add_len, &end) ||
	    (p->cls == ELFCLASS32 && (end > UINT32_MAX || off + p->add_len > UINT32_MAX)))
		return patcher_bad(p, err, "no address space left for a new segment");
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

int patcher_plan(struct patcher *p, const struct elf_patch_opts *o, struct gm_err **err)
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


