#define _GNU_SOURCE
#include "elf/elfinfo.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/util.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <libgen.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
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
	const struct gm_arch *a = arch_by_machine(machine, 0);
	return a ? a->gnu : "unknown";
}

enum elf_file_kind elf_file_kind(const struct elf_info *info)
{
	if (info->interp)
		return ELF_FILE_DYNAMIC_EXEC;
	if (info->type == ET_EXEC || (info->type == ET_DYN && info->pie))
		return ELF_FILE_STATIC_EXEC;
	return info->type == ET_DYN ? ELF_FILE_SHARED_OBJECT : ELF_FILE_OTHER;
}

const char *elf_file_kind_name(enum elf_file_kind k)
{
	static const char *const names[] = {"dynamic executable", "static executable",
					    "shared object", "ELF file"};
	return (unsigned)k <= ELF_FILE_OTHER ? names[k] : "ELF file";
}

/* The reader's state for one file. */
struct reader {
	Elf *e;
	const char *path;
	size_t nsections;
	struct elf_info *info;
	int flags;
	/* version index -> (need, node) or def; index spaces are shared */
	struct { int need, node, def; } *idx;
	size_t n_idx;
};

static int bad(struct reader *r, struct gm_err **err, const char *what)
{
	return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': %s", r->path, what);
}

/* Section data, or NULL when the section is missing, empty or NOBITS. */
static Elf_Data *section_data(struct reader *r, size_t index, GElf_Shdr *ret_sh)
{
	Elf_Scn *scn;
	if (index == 0 || index >= r->nsections || !(scn = elf_getscn(r->e, index)) ||
	    !gelf_getshdr(scn, ret_sh) || ret_sh->sh_type == SHT_NOBITS)
		return NULL;
	Elf_Data *d = elf_getdata(scn, NULL);
	return d && d->d_buf && d->d_size ? d : NULL;
}

/* A string from the string table in section strndx, or NULL if the table is
 * not a string table, the offset is out of range or the string is not
 * terminated inside the table. */
static const char *safe_str(struct reader *r, size_t strndx, size_t off)
{
	GElf_Shdr sh;
	Elf_Data *d = section_data(r, strndx, &sh);
	if (!d || sh.sh_type != SHT_STRTAB || off >= d->d_size)
		return NULL;
	const char *s = (const char *)d->d_buf + off;
	return memchr(s, '\0', d->d_size - off) ? s : NULL;
}

static void set_idx(struct reader *r, size_t index, int need, int node, int def)
{
	if (index >= r->n_idx) {
		size_t n = index + 1;
		r->idx = xrealloc(r->idx, n * sizeof(*r->idx));
		for (size_t i = r->n_idx; i < n; i++)
			r->idx[i].need = r->idx[i].node = r->idx[i].def = -1;
		r->n_idx = n;
	}
	if (need >= 0) {
		r->idx[index].need = need;
		r->idx[index].node = node;
	}
	if (def >= 0)
		r->idx[index].def = def;
}

static int read_interp(struct reader *r, struct gm_err **err)
{
	size_t n, fsize;
	char *raw = elf_rawfile(r->e, &fsize);
	if (elf_getphdrnum(r->e, &n) < 0)
		return bad(r, err, "bad program header count");
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(r->e, (int)i, &ph))
			return bad(r, err, "program header out of range");
		if (ph.p_type == PT_DYNAMIC)
			r->info->dynamic = true;
		if (ph.p_type != PT_INTERP || r->info->interp)
			continue;
		if (!raw || ph.p_filesz == 0 || ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset)
			return bad(r, err, "PT_INTERP lies outside the file");
		const char *s = raw + ph.p_offset;
		const char *nul = memchr(s, '\0', ph.p_filesz);
		if (!nul || nul == s)
			return bad(r, err, "PT_INTERP is not a terminated path");
		r->info->interp = xstrdup(s);
	}
	return 0;
}

/* The GNU build ID (NT_GNU_BUILD_ID in a PT_NOTE), as hex, or NULL.  It is
 * what tells two builds of one glibc version apart.  A malformed note is
 * not an error: the ID is simply unknown. */
static void read_build_id(struct reader *r)
{
	size_t n;
	if (elf_getphdrnum(r->e, &n) < 0)
		return;
	for (size_t i = 0; i < n && !r->info->build_id; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(r->e, (int)i, &ph) || ph.p_type != PT_NOTE || ph.p_filesz == 0)
			continue;
		/* Notes aligned to 8 (.note.gnu.property) have their own layout. */
		Elf_Data *d = elf_getdata_rawchunk(r->e, (int64_t)ph.p_offset, ph.p_filesz,
						   ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (!d)
			continue;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off, next;
		while (off < d->d_size && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp((char *)d->d_buf + name_off, "GNU", 4) == 0 && nh.n_descsz > 0 &&
			    nh.n_descsz <= 32) {
				char hex[65];
				hex_digest((unsigned char *)d->d_buf + desc_off, nh.n_descsz, hex);
				r->info->build_id = xstrdup(hex);
				break;
			}
			off = next;
		}
	}
}

static int read_dynamic(struct reader *r, GElf_Shdr *sh, Elf_Data *d, struct gm_err **err)
{
	size_t n = sh->sh_entsize ? d->d_size / sh->sh_entsize : 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dyn;
		const char *s;
		if (!gelf_getdyn(d, (int)i, &dyn))
			return bad(r, err, "unreadable dynamic entry");
		if (dyn.d_tag == DT_NULL)
			break;
		switch (dyn.d_tag) {
		case DT_NEEDED: case DT_SONAME: case DT_RPATH: case DT_RUNPATH:
			s = safe_str(r, sh->sh_link, dyn.d_un.d_val);
			if (!s)
				return bad(r, err, "dynamic entry names a string outside .dynstr");
			if (dyn.d_tag == DT_NEEDED)
				strv_push(&r->info->needed, s);
			else if (dyn.d_tag == DT_SONAME && !r->info->soname)
				r->info->soname = xstrdup(s);
			else if (dyn.d_tag == DT_RPATH && !r->info->rpath)
				r->info->rpath = xstrdup(s);
			else if (dyn.d_tag == DT_RUNPATH && !r->info->runpath)
				r->info->runpath = xstrdup(s);
			break;
		case DT_FLAGS_1:
			if (dyn.d_un.d_val & DF_1_PIE)
				r->info->pie = true;
			break;
		}
	}
	return 0;
}

/* The machine's R_*_COPY type, or -1 for one this table does not know. */
static long copy_reloc_type(int machine)
{
	switch (machine) {
	case EM_X86_64: return R_X86_64_COPY;
	case EM_386: return R_386_COPY;
	case EM_AARCH64: return R_AARCH64_COPY;
	case EM_ARM: return R_ARM_COPY;
	case EM_RISCV: return R_RISCV_COPY;
	case EM_PPC64: return R_PPC64_COPY;
	case EM_S390: return R_390_COPY;
	default: return -1;
	}
}

/* A loaded relocation section (SHF_ALLOC: the loader's, not a linker's
 * leftover): does it hold a copy relocation? */
static void read_copy_relocs(struct reader *r, GElf_Shdr *sh, Elf_Data *d)
{
	long want = copy_reloc_type(r->info->machine);
	size_t n = sh->sh_entsize ? d->d_size / sh->sh_entsize : 0;
	for (size_t i = 0; want >= 0 && i < n && !r->info->copy_relocs; i++) {
		GElf_Rela rela;
		GElf_Rel rel;
		GElf_Xword info = 0;
		if (sh->sh_type == SHT_RELA && gelf_getrela(d, (int)i, &rela))
			info = rela.r_info;
		else if (sh->sh_type == SHT_REL && gelf_getrel(d, (int)i, &rel))
			info = rel.r_info;
		else
			return;
		long type = r->info->elfclass == ELFCLASS64 ? (long)GELF_R_TYPE(info)
							    : (long)ELF32_R_TYPE((Elf32_Word)info);
		r->info->copy_relocs = type == want;
	}
}

static int read_verneed(struct reader *r, GElf_Shdr *sh, Elf_Data *d, struct gm_err **err)
{
	struct elf_info *info = r->info;
	size_t off = 0, nodes_claimed = 0;
	if (info->needs)
		return bad(r, err, "more than one version requirement section");
	/* sh_info bounds the chain; a loop in vn_next cannot run past it, and
	 * each entry takes at least 16 bytes. */
	if (sh->sh_info > d->d_size / sizeof(GElf_Verneed))
		return bad(r, err, ".gnu.version_r claims more entries than it holds");
	info->needs = xcalloc(sh->sh_info, sizeof(*info->needs));
	for (size_t i = 0; i < sh->sh_info; i++) {
		GElf_Verneed vn;
		if (off >= d->d_size || !gelf_getverneed(d, (int)off, &vn))
			return bad(r, err, "version requirement out of range");
		const char *file = safe_str(r, sh->sh_link, vn.vn_file);
		if (!file)
			return bad(r, err, "version requirement has a bad file name");
		struct elf_verneed *need = &info->needs[info->n_needs++];
		need->file = xstrdup(file);
		/* Every node of every entry needs its own 16 bytes: bound the
		 * total, not each count alone, or N entries of N nodes each make
		 * a small file allocate N * N nodes. */
		nodes_claimed += vn.vn_cnt;
		if (nodes_claimed > d->d_size / sizeof(GElf_Vernaux))
			return bad(r, err, "version requirements claim more nodes than the section holds");
		need->nodes = xcalloc(vn.vn_cnt, sizeof(*need->nodes));
		size_t aoff = off + vn.vn_aux;
		for (size_t k = 0; k < vn.vn_cnt; k++) {
			GElf_Vernaux va;
			if (aoff >= d->d_size || !gelf_getvernaux(d, (int)aoff, &va))
				return bad(r, err, "version requirement node out of range");
			const char *name = safe_str(r, sh->sh_link, va.vna_name);
			if (!name)
				return bad(r, err, "version requirement node has a bad name");
			struct elf_vernode *node = &need->nodes[need->n_nodes];
			node->name = xstrdup(name);
			node->weak = (va.vna_flags & VER_FLG_WEAK) != 0;
			node->symbols = xcalloc(1, sizeof(char *));
			if (va.vna_other > 1 && va.vna_other < 0x8000)
				set_idx(r, va.vna_other, (int)i, (int)need->n_nodes, -1);
			need->n_nodes++;
			if (va.vna_next == 0)
				break;
			aoff += va.vna_next;
		}
		if (vn.vn_next == 0)
			break;
		off += vn.vn_next;
	}
	return 0;
}

static int read_verdef(struct reader *r, GElf_Shdr *sh, Elf_Data *d, struct gm_err **err)
{
	struct elf_info *info = r->info;
	size_t off = 0;
	if (info->defs)
		return bad(r, err, "more than one version definition section");
	if (sh->sh_info > d->d_size / sizeof(GElf_Verdef))
		return bad(r, err, ".gnu.version_d claims more entries than it holds");
	info->defs = xcalloc(sh->sh_info, sizeof(*info->defs));
	for (size_t i = 0; i < sh->sh_info; i++) {
		GElf_Verdef vd;
		GElf_Verdaux va;
		if (off >= d->d_size || !gelf_getverdef(d, (int)off, &vd))
			return bad(r, err, "version definition out of range");
		if (vd.vd_cnt > 0) {
			if (off + vd.vd_aux >= d->d_size || !gelf_getverdaux(d, (int)(off + vd.vd_aux), &va))
				return bad(r, err, "version definition has a bad aux entry");
			const char *name = safe_str(r, sh->sh_link, va.vda_name);
			if (!name)
				return bad(r, err, "version definition has a bad name");
			if (!(vd.vd_flags & VER_FLG_BASE) && !elf_find_def(info, name)) {
				struct elf_verdef *def = &info->defs[info->n_defs];
				def->name = xstrdup(name);
				def->symbols = xcalloc(1, sizeof(char *));
				strv_push(&info->verdefs, name);
				if (vd.vd_ndx > 1 && vd.vd_ndx < 0x8000)
					set_idx(r, vd.vd_ndx, -1, -1, (int)info->n_defs);
				info->n_defs++;
			}
		}
		if (vd.vd_next == 0)
			break;
		off += vd.vd_next;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts v and drops repeats; the new length. */
static size_t sort_unique(char **v)
{
	size_t n = strv_len(v), k = 0;
	if (n < 2)
		return n;
	qsort(v, n, sizeof(char *), cmp_str);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(v[i], v[k]) == 0)
			free(v[i]);
		else
			v[++k] = v[i];
	}
	v[k + 1] = NULL;
	return k + 1;
}

/* A symbol list built by appending: strv_push walks the list each time,
 * quadratic in the 2500 symbols of a libc. */
struct symlist {
	char **v;
	size_t n, cap;
};

static void symlist_push(struct symlist *l, const char *s)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(char *));
	}
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

/* Moves l's entries to the end of the list *v (NULL or NULL-terminated). */
static void symlist_into(struct symlist *l, char ***v)
{
	if (!l->n)
		return;
	if (!*v || !**v) {
		free(*v);
		*v = l->v;
	} else {
		for (size_t i = 0; i < l->n; i++)
			strv_push_take(v, l->v[i]);
		free(l->v);
	}
	memset(l, 0, sizeof(*l));
}

/* Binds dynamic symbols to version nodes through .gnu.version. */
static int read_symbols(struct reader *r, size_t dynsym, size_t versym, struct gm_err **err)
{
	GElf_Shdr ssh, vsh;
	Elf_Data *sd = section_data(r, dynsym, &ssh);
	Elf_Data *vd = versym ? section_data(r, versym, &vsh) : NULL;
	if (!sd || ssh.sh_entsize == 0)
		return 0;
	size_t n = sd->d_size / ssh.sh_entsize;
	size_t nv = vd ? vd->d_size / sizeof(GElf_Versym) : 0;
	struct elf_info *in = r->info;
	/* One list per index of r->idx (its need's node or its def), the
	 * unversioned undefined ones, the exported ones. */
	struct symlist *by_idx = xcalloc(r->n_idx + 1, sizeof(*by_idx));
	struct symlist unversioned = {0}, exported = {0};
	int ret = 0;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Versym vs = 1;
		if (!gelf_getsym(sd, (int)i, &sym)) {
			ret = bad(r, err, "unreadable dynamic symbol");
			break;
		}
		if (sym.st_name == 0)
			continue;
		const char *name = safe_str(r, ssh.sh_link, sym.st_name);
		if (!name) {
			ret = bad(r, err, "dynamic symbol has a name outside .dynstr");
			break;
		}
		if (vd && i < nv && !gelf_getversym(vd, (int)i, &vs)) {
			ret = bad(r, err, "unreadable .gnu.version entry");
			break;
		}
		size_t idx = vs & 0x7fff;
		bool undef = sym.st_shndx == SHN_UNDEF;
		if (undef && idx >= 2 && idx < r->n_idx && r->idx[idx].need >= 0)
			symlist_push(&by_idx[idx], name);
		else if (undef && idx < 2 && GELF_ST_BIND(sym.st_info) == STB_GLOBAL)
			symlist_push(&unversioned, name);
		else if (!undef && idx >= 2 && idx < r->n_idx && r->idx[idx].def >= 0)
			symlist_push(&by_idx[idx], name);
		if (!undef && GELF_ST_BIND(sym.st_info) != STB_LOCAL && !(vs & 0x8000) && idx != 0)
			symlist_push(&exported, name);
	}
	/* In the order of the symbols, as strv_push per symbol had them. */
	for (size_t idx = 2; idx < r->n_idx; idx++) {
		if (!by_idx[idx].n)
			continue;
		if (r->idx[idx].need >= 0)
			symlist_into(&by_idx[idx],
				     &in->needs[r->idx[idx].need].nodes[r->idx[idx].node].symbols);
		else if (r->idx[idx].def >= 0)
			symlist_into(&by_idx[idx], &in->defs[r->idx[idx].def].symbols);
	}
	symlist_into(&unversioned, &in->unversioned_undef);
	symlist_into(&exported, &in->exported);
	for (size_t idx = 0; idx <= r->n_idx; idx++) {
		for (size_t k = 0; k < by_idx[idx].n; k++)
			free(by_idx[idx].v[k]);
		free(by_idx[idx].v);
	}
	free(by_idx);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < in->n_needs; i++)
		for (size_t k = 0; k < in->needs[i].n_nodes; k++)
			sort_unique(in->needs[i].nodes[k].symbols);
	for (size_t i = 0; i < in->n_defs; i++)
		in->defs[i].n_symbols = sort_unique(in->defs[i].symbols);
	sort_unique(in->unversioned_undef);
	in->n_exported = sort_unique(in->exported);
	return 0;
}

/* true if [off, off + n * size) lies inside a file of fsize bytes. */
static bool inside(uint64_t off, uint64_t n, uint64_t size, uint64_t fsize)
{
	if (size && n > (UINT64_MAX - off) / size)
		return false;
	return off <= fsize && n * size <= fsize - off;
}

/* libelf clamps a program header count that runs past the end of the file
 * and ignores section tables it cannot read; both mean a damaged file, and
 * the kernel and ld.so would not agree with a clamped view. */
static int check_tables(struct reader *r, const GElf_Ehdr *eh, struct gm_err **err)
{
	size_t fsize = 0, shnum = 0;
	elf_rawfile(r->e, &fsize);
	if (eh->e_phnum && (eh->e_phentsize == 0 ||
			    !inside(eh->e_phoff, eh->e_phnum, eh->e_phentsize, fsize)))
		return bad(r, err, "program headers lie outside the file (truncated?)");
	if (eh->e_shoff == 0)
		return 0;
	if (elf_getshdrnum(r->e, &shnum) < 0 || eh->e_shentsize == 0 ||
	    !inside(eh->e_shoff, shnum ? shnum : eh->e_shnum, eh->e_shentsize, fsize))
		return bad(r, err, "section headers lie outside the file (truncated?)");
	if (eh->e_shstrndx != SHN_UNDEF && eh->e_shstrndx != SHN_XINDEX && eh->e_shstrndx >= shnum)
		return bad(r, err, "section name table index is out of range");
	for (size_t i = 1; i < shnum; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(r->e, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': bad section header %zu: %s",
					  r->path, i, elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS && !inside(sh.sh_offset, 1, sh.sh_size, fsize)) {
			cleanup_free char *what = xasprintf("section %zu lies outside the file (truncated?)", i);
			return bad(r, err, what);
		}
	}
	return 0;
}

static int read_all(struct reader *r, struct gm_err **err)
{
	GElf_Ehdr eh;
	size_t dynsym = 0, versym = 0;

	if (!gelf_getehdr(r->e, &eh))
		return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': bad ELF header: %s", r->path,
				  elf_errmsg(-1));
	r->info->elfclass = gelf_getclass(r->e);
	r->info->machine = eh.e_machine;
	r->info->type = eh.e_type;
	if (check_tables(r, &eh, err) < 0)
		return -1;
	if (elf_getshdrnum(r->e, &r->nsections) < 0)
		return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': bad section header count: %s",
				  r->path, elf_errmsg(-1));
	if (read_interp(r, err) < 0)
		return -1;
	read_build_id(r);
	if (r->info->type == ET_DYN && r->info->interp)
		r->info->pie = true;

	for (size_t i = 1; i < r->nsections; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(r->e, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': bad section header %zu: %s",
					  r->path, i, elf_errmsg(-1));
		/* Relocations only of a dynamic executable's (libraries' are many). */
		bool relocs = (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL) &&
			      (sh.sh_flags & SHF_ALLOC) && r->info->interp;
		if (sh.sh_type != SHT_DYNAMIC && sh.sh_type != SHT_GNU_verneed &&
		    sh.sh_type != SHT_GNU_verdef && sh.sh_type != SHT_DYNSYM &&
		    sh.sh_type != SHT_GNU_versym && !relocs)
			continue;
		if (sh.sh_type == SHT_DYNSYM) {
			dynsym = i;
			continue;
		}
		if (sh.sh_type == SHT_GNU_versym) {
			versym = i;
			continue;
		}
		Elf_Data *d = section_data(r, i, &sh);
		if (!d) {
			if (elf_errno())
				return gm_err_set(err, GM_EXIT_USAGE, 0, "'%s': section %zu: %s",
						  r->path, i, elf_errmsg(-1));
			continue;
		}
		if (relocs) {
			read_copy_relocs(r, &sh, d);
			continue;
		}
		int rc = sh.sh_type == SHT_DYNAMIC	  ? read_dynamic(r, &sh, d, err)
			 : sh.sh_type == SHT_GNU_verneed ? read_verneed(r, &sh, d, err)
							  : read_verdef(r, &sh, d, err);
		if (rc < 0)
			return -1;
	}
	if ((r->flags & ELF_READ_SYMBOLS) && dynsym)
		return read_symbols(r, dynsym, versym, err);
	return 0;
}

int elf_info_read_flags(const char *path, int flags, struct elf_info *info, struct gm_err **err)
{
	cleanup_close int fd = -1;
	unsigned char magic[SELFMAG];
	struct reader r = {.path = path, .info = info, .flags = flags};

	memset(info, 0, sizeof(*info));
	if ((fd = fs_open_input(path, err)) < 0)
		return -1;
	if (pread(fd, magic, SELFMAG, 0) != SELFMAG || memcmp(magic, ELFMAG, SELFMAG) != 0)
		return 0;
	elf_init_once();
	r.e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!r.e || elf_kind(r.e) != ELF_K_ELF) {
		if (r.e)
			elf_end(r.e);
		return gm_err_set(err, GM_EXIT_USAGE, 0,
				  "'%s': not a valid ELF file (bad class or truncated header)", path);
	}
	info->needed = xcalloc(1, sizeof(char *));
	info->verdefs = xcalloc(1, sizeof(char *));
	info->unversioned_undef = xcalloc(1, sizeof(char *));
	info->exported = xcalloc(1, sizeof(char *));
	int rc = read_all(&r, err);
	elf_end(r.e);
	free(r.idx);
	if (rc < 0) {
		elf_info_release(info);
		return -1;
	}
	return 1;
}

int elf_info_read(const char *path, struct elf_info *info, struct gm_err **err)
{
	return elf_info_read_flags(path, 0, info, err);
}

void elf_info_release(struct elf_info *info)
{
	free(info->interp);
	free(info->soname);
	free(info->rpath);
	free(info->runpath);
	strv_free(info->needed);
	strv_free(info->verdefs);
	strv_free(info->unversioned_undef);
	strv_free(info->exported);
	free(info->build_id);
	for (size_t i = 0; i < info->n_defs; i++) {
		free(info->defs[i].name);
		strv_free(info->defs[i].symbols);
	}
	free(info->defs);
	for (size_t i = 0; i < info->n_needs; i++) {
		for (size_t k = 0; k < info->needs[i].n_nodes; k++) {
			free(info->needs[i].nodes[k].name);
			strv_free(info->needs[i].nodes[k].symbols);
		}
		free(info->needs[i].nodes);
		free(info->needs[i].file);
	}
	free(info->needs);
	memset(info, 0, sizeof(*info));
}

const struct elf_verdef *elf_find_def(const struct elf_info *info, const char *node)
{
	for (size_t i = 0; i < info->n_defs; i++)
		if (strcmp(info->defs[i].name, node) == 0)
			return &info->defs[i];
	return NULL;
}

char *elf_expand_origin(const char *entry, const char *object)
{
	cleanup_free char *copy = xstrdup(object);
	const char *origin = dirname(copy);
	struct strbuf out = STRBUF_INIT;
	for (const char *p = entry; *p;) {
		size_t skip = str_starts(p, "$ORIGIN") ? 7 : str_starts(p, "${ORIGIN}") ? 9 : 0;
		if (skip)
			strbuf_addstr(&out, origin);
		else
			strbuf_addch(&out, *p);
		p += skip ? skip : 1;
	}
	return strbuf_detach(&out);
}

char **elf_own_search_path(const struct elf_info *info, const char *object)
{
	char **v = xcalloc(1, sizeof(char *));
	const char *list = info->runpath ? info->runpath : info->rpath;
	cleanup_free char *copy = xstrdup(list ? list : "");
	char *save = NULL;
	for (char *e = strtok_r(copy, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
		char *d = elf_expand_origin(e, object);
		if (!strv_contains(v, d))
			strv_push(&v, d);
		free(d);
	}
	return v;
}

static bool sorted_has(char *const *v, size_t n, const char *symbol);

bool elf_def_has_symbol(const struct elf_verdef *def, const char *symbol)
{
	return sorted_has(def->symbols, def->n_symbols, symbol);
}

bool elf_exports(const struct elf_info *info, const char *symbol)
{
	return sorted_has(info->exported, info->n_exported, symbol);
}

/* v sorted, n its length (counting it on every lookup was most of the
 * lookup in libc's 2500 symbols). */
static bool sorted_has(char *const *v, size_t n, const char *symbol)
{
	size_t lo = 0, hi = v ? n : 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v[mid], symbol);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
