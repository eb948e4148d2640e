/* Shared reporting code for the probes in cases/.  It is compiled and
 * linked into every probe (the harness adds common/probe.c), as C or, for
 * C++ probes, as C++.
 *
 * Contract with the harness:
 *   - stdout carries key=value lines only, one per line, flushed as written
 *     so a probe that crashes or hangs later still shows what it printed;
 *   - every probe calls probe_report() first: it prints glibc= (what
 *     gnu_get_libc_version() says), libc= (path of the mapped libc.so.6, or
 *     "static" for a binary without PT_INTERP) and ld= (the loader);
 *   - exit 0 means the feature worked; probe_fail() prints "probe: <msg>" on
 *     stderr and exits 1 (a run-time misbehaviour: outcome "failed", not a
 *     load failure).
 *
 * Everything here binds to GLIBC_2.2.5 nodes only, so the version needs of a
 * probe are those of what the probe itself exercises, plus start-up code. */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROBE_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* glibc=, libc=, ld= lines. */
void probe_report(void);

/* Prints "key=<formatted value>\n" on stdout and flushes it. */
void probe_kv(const char *key, const char *fmt, ...) PROBE_PRINTF(2, 3);

/* "probe: <message>" on stderr, then exit(1). */
void probe_fail(const char *fmt, ...) PROBE_PRINTF(1, 2) __attribute__((noreturn));

/* Like probe_fail, with the exit status given (the test-only "fails" probe). */
void probe_fail_status(int status, const char *fmt, ...) PROBE_PRINTF(2, 3)
	__attribute__((noreturn));

/* Prints "key=<path>" for every loaded object whose name contains needle;
 * returns how many it printed. */
int probe_report_objects(const char *key, const char *needle);

/* Directory of the running executable, without a trailing slash: the file
 * mapped at this code's address (/proc/self/maps), else /proc/self/exe.
 * Under an explicit loader ("ld.so ./probe") /proc/self/exe names the
 * loader, the mapping still names the probe.  Returns 0, or -1 if it does not
 * fit in buf. */
int probe_exe_dir(char *buf, size_t size);

/* <exe dir>/<name> (e.g. "plugin.so"); 0 or -1 as probe_exe_dir. */
int probe_exe_sibling(const char *name, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
