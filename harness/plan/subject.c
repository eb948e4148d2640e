/* What planning knows of its subjects and of this machine, read before it
 * starts, so that plan_cells itself reads nothing. */
#define _GNU_SOURCE
#include "plan/cells.h"
#include "container/binfmt.h"

#include <string.h>

void plan_subject_probe(const struct probe *p, struct plan_subject *s)
{
	struct elf_info info;
	memset(s, 0, sizeof(*s));
	s->name = p->kase->name;
	s->probe = p;
	s->arch = arch_by_gnu(p->build->arch);
	s->machine = p->build->arch;
	s->kind = ELF_FILE_DYNAMIC_EXEC;
	s->binary = p->binary;
	if (p->status != PROBE_BUILT)
		return;
	if (elf_info_read(p->binary, &info, NULL) == 1) {
		s->kind = elf_file_kind(&info);
		elf_info_release(&info);
	}
}

void plan_subject_file(const char *name, const char *abs, const struct elf_info *info,
		       struct plan_subject *s)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->binary = abs;
	s->arch = arch_by_machine(info->machine, info->elfclass);
	s->machine = s->arch ? s->arch->gnu : elf_machine_name(info->machine);
	s->kind = elf_file_kind(info);
}

void plan_machine_here(const struct gm_config *cfg, struct plan_machine *m)
{
	m->cfg = cfg;
	m->host = arch_host();
	m->emulator = arch_emulator;
	m->binfmt_ready = binfmt_ready;
}
