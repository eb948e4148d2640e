/* Shared reporting code for the probes; the contract is in probe.h.
 *
 * Only functions that exist at GLIBC_2.2.5 are used here (no memcpy, whose
 * default version is GLIBC_2.14; no getauxval, 2.16), so linking this file
 * adds no version node a probe does not ask for itself.  The file must also
 * compile as C++ (g++ builds it into the C++ probes). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe.h"

#include <elf.h>
#include <gnu/libc-version.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct scan {
	int index;
	int main_has_interp;
	const char *libc;
	const char *ld;
	const char *needle;
	const char *key;
	int printed;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* libc.so.6, or libc-2.31.so when a loader reports the real file name. */
static int is_libc(const char *name)
{
	const char *b = base_name(name);
	return starts_with(b, "libc.so.") || (starts_with(b, "libc-") && strstr(b, ".so") != NULL);
}

static int is_loader(const char *name)
{
	const char *b = base_name(name);
	return starts_with(b, "ld-linux") || starts_with(b, "ld.so") ||
	       (starts_with(b, "ld-") && strstr(b, ".so") != NULL);
}

static int scan_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct scan *s = (struct scan *)data;
	const char *name = info->dlpi_name ? info->dlpi_name : "";
	(void)size;

	if (s->index++ == 0) {
		/* The main program comes first: static if it has no PT_INTERP. */
		for (int i = 0; i < info->dlpi_phnum; i++)
			if (info->dlpi_phdr[i].p_type == PT_INTERP)
				s->main_has_interp = 1;
		return 0;
	}
	if (s->needle != NULL) {
		if (strstr(name, s->needle) != NULL) {
			printf("%s=%s\n", s->key, name);
			s->printed++;
		}
		return 0;
	}
	if (s->libc == NULL && is_libc(name))
		s->libc = name;
	else if (s->ld == NULL && is_loader(name))
		s->ld = name;
	return 0;
}

void probe_report(void)
{
	struct scan s = { 0, 0, NULL, NULL, NULL, NULL, 0 };

	dl_iterate_phdr(scan_object, &s);
	probe_kv("glibc", "%s", gnu_get_libc_version());
	if (s.libc != NULL)
		probe_kv("libc", "%s", s.libc);
	else if (!s.main_has_interp)
		probe_kv("libc", "static");
	else
		probe_kv("libc", "unknown");
	if (s.ld != NULL)
		probe_kv("ld", "%s", s.ld);
	else if (!s.main_has_interp)
		probe_kv("ld", "none");
	else
		probe_kv("ld", "unknown");
}

void probe_kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void vfail(int status, const char *fmt, va_list ap) __attribute__((noreturn));

static void vfail(int status, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	exit(status);
}

void probe_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(1, fmt, ap);
}

void probe_fail_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(status, fmt, ap);
}

int probe_report_objects(const char *key, const char *needle)
{
	struct scan s = { 0, 0, NULL, NULL, needle, key, 0 };

	dl_iterate_phdr(scan_object, &s);
	fflush(stdout);
	return s.printed;
}

static int parse_hex(const char **p, unsigned long *ret)
{
	unsigned long v = 0;
	int digits = 0;

	for (;; (*p)++, digits++) {
		char c = **p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long)(c - 'a' + 10);
		else
			break;
	}
	*ret = v;
	return digits > 0 ? 0 : -1;
}

/* The file mapped at addr, from /proc/self/maps.  Parsed by hand: sscanf
 * and strtoul would pull in __isoc99_ or __isoc23_ symbols. */
static int mapped_file(unsigned long addr, char *buf, size_t size)
{
	char line[4096 + 256];
	int found = -1;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (f == NULL)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;
		unsigned long lo, hi;
		char *nl;

		if (parse_hex(&p, &lo) < 0 || *p++ != '-' || parse_hex(&p, &hi) < 0)
			continue;
		if (addr < lo || addr >= hi)
			continue;
		p = strchr(p, '/');
		if (p == NULL)
			break;
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (snprintf(buf, size, "%s", p) < (int)size)
			found = 0;
		break;
	}
	fclose(f);
	return found;
}

int probe_exe_dir(char *buf, size_t size)
{
	char *slash;

	if (size < 2)
		return -1;
	/* probe.c is always linked into the executable, so the file mapped at
	 * this function's address is the probe, whichever way it was started;
	 * under "ld.so ./probe" /proc/self/exe names the loader instead. */
	if (mapped_file((unsigned long)(size_t)&probe_exe_dir, buf, size) < 0) {
		ssize_t len = readlink("/proc/self/exe", buf, size - 1);
		if (len < 0 || (size_t)len >= size - 1)
			return -1;
		buf[len] = '\0';
	}
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return snprintf(buf, size, ".") < (int)size ? 0 : -1;
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

int probe_exe_sibling(const char *name, char *buf, size_t size)
{
	char dir[4096];
	int n;

	if (probe_exe_dir(dir, sizeof(dir)) < 0)
		return -1;
	n = snprintf(buf, size, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
