#include "base/arch.h"
#include "base/fs.h"

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

static const struct gm_arch arches[] = {
	{"amd64", "x86_64", "x86_64-linux-gnu", "ld-linux-x86-64.so.2",
	 "/lib64/ld-linux-x86-64.so.2", "qemu-x86_64-static", EM_X86_64, ELFCLASS64, true},
	{"arm64", "aarch64", "aarch64-linux-gnu", "ld-linux-aarch64.so.1",
	 "/lib/ld-linux-aarch64.so.1", "qemu-aarch64-static", EM_AARCH64, ELFCLASS64, true},
	{"riscv64", "riscv64", "riscv64-linux-gnu", "ld-linux-riscv64-lp64d.so.1",
	 "/lib/ld-linux-riscv64-lp64d.so.1", "qemu-riscv64-static", EM_RISCV, ELFCLASS64, true},
	{"i386", "i686", "i386-linux-gnu", "ld-linux.so.2", "/lib/ld-linux.so.2",
	 "qemu-i386-static", EM_386, ELFCLASS32, false},
	{"armhf", "armv7l", "arm-linux-gnueabihf", "ld-linux-armhf.so.3",
	 "/lib/ld-linux-armhf.so.3", "qemu-arm-static", EM_ARM, ELFCLASS32, false},
	{"ppc64el", "ppc64le", "powerpc64le-linux-gnu", "ld64.so.2", "/lib64/ld64.so.2",
	 "qemu-ppc64le-static", EM_PPC64, ELFCLASS64, false},
	{"s390x", "s390x", "s390x-linux-gnu", "ld64.so.1", "/lib/ld64.so.1",
	 "qemu-s390x-static", EM_S390, ELFCLASS64, false},
};
#define N_ARCHES (sizeof(arches) / sizeof(arches[0]))

const struct gm_arch *arch_by_deb(const char *deb)
{
	for (size_t i = 0; deb && i < N_ARCHES; i++)
		if (strcmp(arches[i].deb, deb) == 0)
			return &arches[i];
	return NULL;
}

const struct gm_arch *arch_by_gnu(const char *gnu)
{
	for (size_t i = 0; gnu && i < N_ARCHES; i++)
		if (strcmp(arches[i].gnu, gnu) == 0)
			return &arches[i];
	return NULL;
}

const struct gm_arch *arch_by_machine(int machine, int elfclass)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (arches[i].machine == machine && (!elfclass || arches[i].elfclass == elfclass))
			return &arches[i];
	return NULL;
}

static const struct gm_arch *host;
static pthread_once_t host_once = PTHREAD_ONCE_INIT;

static void find_host(void)
{
	struct utsname un;
	if (uname(&un) == 0)
		host = arch_by_gnu(un.machine);
}

const struct gm_arch *arch_host(void)
{
	pthread_once(&host_once, find_host);
	return host;
}

static char proven[128];
static pthread_once_t proven_once = PTHREAD_ONCE_INIT;

static void list_proven(void)
{
	size_t len = 0;
	for (size_t i = 0; i < N_ARCHES; i++)
		if (arches[i].proven)
			len += (size_t)snprintf(proven + len, sizeof(proven) - len, "%s%s",
						len ? ", " : "", arches[i].deb);
}

const char *arch_proven_debs(void)
{
	pthread_once(&proven_once, list_proven);
	return proven;
}

char *arch_emulator(const struct gm_arch *a)
{
	return a && a->qemu ? fs_find_program(a->qemu) : NULL;
}
