#define _GNU_SOURCE
#include "verdict/classify.h"
#include "elf/glibcver.h"
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "elf/glibcbuild.h"
#include "base/util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

char *kv_get(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p;) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			return xstrndup(v, strcspn(v, "\n"));
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* Copies the text between after and the next stop character. */
static char *between(const char *s, const char *after, const char *stops)
{
	const char *p = strstr(s, after);
	if (!p)
		return NULL;
	p += strlen(after);
	return xstrndup(p, strcspn(p, stops));
}

static char *first_line(const char *s)
{
	while (*s == '\n')
		s++;
	size_t n = strcspn(s, "\n");
	return xstrndup(s, n > 200 ? 200 : n);
}

/* The loader's own failure, from its message; GM_OK if none is recognised. */
static enum gm_outcome loader_failure(const char *err, char **detail)
{
	char *v;
	if ((v = between(err, "version `", "'")) && strstr(err, "' not found")) {
		/* "P: /lib64/ld-linux-x86-64.so.2: version `GLIBC_2.35' not found
		 * (required by /lib/x86_64-linux-gnu/libc.so.6)": one glibc's
		 * library needs a node of another glibc's: two builds mixed. */
		const char *at = strstr(err, "version `");
		const char *line = at;
		while (line > err && line[-1] != '\n')
			line--;
		cleanup_free char *provider = xstrndup(line, (size_t)(at - line));
		cleanup_free char *requirer = between(at, "(required by ", ")");
		char *colon = provider ? strrchr(provider, ':') : NULL;
		if (colon)
			*colon = '\0';
		const char *pb = provider ? strrchr(provider, '/') : NULL;
		const char *rb = requirer ? strrchr(requirer, '/') : NULL;
		if (pb && rb && glibc_is_glibc_lib(pb + 1) && glibc_is_glibc_lib(rb + 1)) {
			*detail = xasprintf("%s of %s, required by %s", v, pb + 1, rb + 1);
			free(v);
			return GM_MIXED_GLIBC;
		}
		*detail = v;
		return GM_SYMBOL_VERSION;
	}
	free(v);
	if (strstr(err, "cannot open shared object file")) {
		/* "...: error while loading shared libraries: libfoo.so.1: cannot open ..." */
		const char *p = strstr(err, "cannot open shared object file");
		const char *start = p;
		while (start > err && start[-1] != '\n')
			start--;
		char *line = xstrndup(start, p - start);
		char *colon = strrchr(line, ':');
		if (colon) {
			*colon = '\0';
			char *name = strrchr(line, ':');
			*detail = xstrdup(str_trim(name ? name + 1 : line));
		} else {
			*detail = xstrdup("?");
		}
		free(line);
		return GM_MISSING_LIBRARY;
	}
	if ((v = between(err, "undefined symbol: ", "\n"))) {
		/* "undefined symbol: S, version GLIBC_PRIVATE" -> "S@GLIBC_PRIVATE":
		 * a glibc node that exists without the symbol is two glibc builds
		 * (or a distribution's backport) mixed.  Any other symbol, with a
		 * library's own version or none ("undefined symbol: jq_set_stderr_cb"),
		 * is a library outside glibc older than the program expects. */
		char *comma = strstr(v, ", version ");
		bool glibc = comma && str_starts(comma + strlen(", version "), "GLIBC_");
		if (comma) {
			*comma = '\0';
			*detail = xasprintf("%s@%s", v, comma + strlen(", version "));
			free(v);
		} else {
			*detail = v;
		}
		return glibc ? GM_MIXED_GLIBC : GM_MISSING_SYMBOL;
	}
	if ((v = between(err, "relocation error: ", "\n"))) {
		/* "...: symbol S version V not defined in file F with link time
		 * reference": only glibc's own private symbols mean two builds. */
		bool glibc = strstr(v, " version GLIBC_") != NULL;
		*detail = v;
		return glibc ? GM_MIXED_GLIBC : GM_MISSING_SYMBOL;
	}
	if ((v = between(err, "Inconsistency detected by ld.so: ", "\n"))) {
		*detail = v;
		return GM_MIXED_GLIBC;
	}
	if (strstr(err, "CPU ISA level is lower than required") || strstr(err, "FATAL: kernel too old")) {
		*detail = first_line(strstr(err, "CPU ISA") ? strstr(err, "CPU ISA") : strstr(err, "FATAL"));
		return GM_FAILED;
	}
	return GM_OK;
}

/* qemu-user's own refusal to start a program: the line, or NULL.  It names
 * itself by its file ("qemu-aarch64-static: "), or, started by binfmt_misc,
 * by the entry's interpreter ("aarch64-binfmt-P: "). */
static const char *qemu_failure(const char *err)
{
	static const char *const what[] = {": Could not open '", "Exec format error",
					   ": Error while loading ", NULL};
	for (const char *l = err; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		const char *colon = memchr(l, ':', len);
		if (!colon)
			continue;
		bool qemu = str_starts(l, "qemu-") ||
			    (colon - l > 9 && memcmp(colon - 9, "-binfmt-P", 9) == 0);
		for (size_t i = 0; qemu && what[i]; i++)
			if (memmem(l, len, what[i], strlen(what[i])))
				return l;
	}
	return NULL;
}

/* "104, 294" from qemu's "Unsupported syscall: N" lines, or NULL.  293 is
 * left out: rseq in the generic table of aarch64 and riscv64, which glibc
 * >= 2.35 registers at every start and goes on without. */
static char *unsupported_syscalls(const char *err)
{
	static const char tag[] = "Unsupported syscall: ";
	struct strbuf sb = STRBUF_INIT;
	long seen[16];
	size_t n_seen = 0;
	for (const char *p = strstr(err, tag); p && n_seen < 16; p = strstr(p + 1, tag)) {
		long n = strtol(p + strlen(tag), NULL, 10);
		bool dup = n == 293;
		for (size_t i = 0; i < n_seen && !dup; i++)
			dup = seen[i] == n;
		if (dup)
			continue;
		seen[n_seen++] = n;
		strbuf_addf(&sb, "%s%ld", sb.len ? ", " : "", n);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* The loader's line of a trace: its soname first ("ld-linux-x86-64.so.2",
 * "ld64.so.2", "ld.so.1", "ld-linux-aarch64.so.1"). */
static bool loader_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return str_starts(b, "ld-linux") || str_starts(b, "ld64.so") || str_starts(b, "ld.so");
}

void run_trace_parse(const char *out, size_t len, struct run_trace *t)
{
	memset(t, 0, sizeof(*t));
	for (const char *p = out, *end = out + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		cleanup_free char *line = xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
		p = nl ? nl + 1 : end;
		/* "\tNAME => PATH (0x...)", or "\tPATH (0x...)" when the name
		 * is the path: the loader the kernel started by PT_INTERP. */
		char *name = line + strspn(line, "\t ");
		char *arrow = strstr(name, " => ");
		char *path = arrow ? arrow + 4 : name;
		if (arrow)
			*arrow = '\0';
		path[strcspn(path, " ")] = '\0';
		char **slot = strcmp(name, "libc.so.6") == 0 ? &t->libc
			      : loader_name(name)	    ? &t->ld
							    : NULL;
		if (slot && path[0] == '/') {
			free(*slot);
			*slot = xstrdup(path);
		}
	}
}

void run_trace_release(struct run_trace *t)
{
	free(t->ld);
	free(t->libc);
	memset(t, 0, sizeof(*t));
}

/* What the subject says it ran on: a probe reports it (cases/common/probe.h:
 * glibc=, libc=, ld= lines first); a user's program reports nothing (its
 * output is its own, whatever it prints), so the loader's trace says it, as
 * it does for a probe that died before its report (a glibc 2.34 libc.so.6
 * under the host's 2.36 loader segfaults before main).  Fills c->ran_glibc
 * and c->ran_libc, *traced when the trace said it; returns the loader
 * named, or NULL. */
static char *ran_on(const struct proc_result *res, const struct run_expect *expect,
		    const struct run_trace *trace, struct classified *c, bool *traced)
{
	*traced = false;
	if (expect) {
		char *ld = kv_get(res->out, "ld");
		if (ld || !trace || !trace->libc) {
			c->ran_glibc = kv_get(res->out, "glibc");
			c->ran_libc = kv_get(res->out, "libc");
			return ld;
		}
	}
	*traced = trace && trace->libc;
	if (!trace || !trace->libc)
		return trace && trace->ld ? xstrdup(trace->ld) : NULL;
	char *node = NULL;
	if (glibc_libc_version(trace->libc, &c->ran_glibc, &node, NULL) == 1)
		free(node);
	c->ran_libc = xstrdup(trace->libc);
	return trace->ld ? xstrdup(trace->ld) : NULL;
}

/* Whether the loader and libc.so.6 the subject ran on (reported or traced)
 * are of two glibc builds. */
static bool two_builds(const struct run_expect *expect, const char *ran_ld,
		       const struct classified *c)
{
	if (!ran_ld || !c->ran_libc || ran_ld[0] != '/' || c->ran_libc[0] != '/')
		return false;
	bool mapped = expect && expect->ld_host && expect->libc_host;
	return glibc_pairing(mapped ? expect->ld_host : ran_ld,
			     mapped ? expect->libc_host : c->ran_libc) == GLIBC_PAIR_MIXED;
}

static void set_mixed(const struct proc_result *res, bool probe, const char *ran_ld,
		      struct classified *c)
{
	cleanup_free char *how = res->timed_out ? xstrdup("then timed out")
				 : res->signal	? xasprintf("then SIG%s", sigabbrev_np(res->signal) ?: "?")
						: xasprintf("exit %d", res->exit_code);
	c->outcome = GM_MIXED_GLIBC;
	c->detail = xasprintf("%s with %s: two glibc builds (%s%s)", ran_ld, c->ran_libc, how,
			      probe ? "" : "; seen by the loader's trace mode");
}

void classify(const struct proc_result *res, const struct run_expect *expect,
	      struct classified *c)
{
	classify_traced(res, expect, NULL, c);
}

void classify_traced(const struct proc_result *res, const struct run_expect *expect,
		     const struct run_trace *trace, struct classified *c)
{
	memset(c, 0, sizeof(*c));
	bool traced;
	cleanup_free char *ran_ld = ran_on(res, expect, trace, c, &traced);

	if (res->exec_failed) {
		c->outcome = GM_EXEC_FAILED;
		c->detail = xasprintf("exec: %s%s", strerror(res->exec_errno),
				      res->exec_errno == ENOENT ? " (missing interpreter?)" : "");
		return;
	}
	/* A process made of two glibc builds is mixed, whatever it does next
	 * (it may even exit 0; a Debian 2.36 ld.so with a from-source 2.36
	 * libc hangs in pthread code; the host's 2.36 ld.so with bullseye's
	 * libc segfaults), so this comes before the timeout and the signal.
	 * Only the loader's own refusal, for a user's program, comes first
	 * (below): it names what failed, as the predictor's order does. */
	bool two = two_builds(expect, ran_ld, c);
	if (two && (expect || res->timed_out || res->signal || res->exit_code == 0)) {
		set_mixed(res, expect != NULL && !traced, ran_ld, c);
		return;
	}
	if (res->timed_out) {
		c->outcome = GM_TIMEOUT;
		c->detail = res->output_cut && !res->signal
			? xasprintf("output cut after %.1f s: the program exited %d, but a descendant "
				    "that left its process group kept writing to it", res->duration_s,
				    res->exit_code)
			: xasprintf("killed after %.1f s", res->duration_s);
		return;
	}
	if (res->signal) {
		c->outcome = GM_CRASH;
		c->detail = xasprintf("SIG%s", sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?");
		return;
	}
	if (res->exit_code != 0) {
		char *detail = NULL;
		enum gm_outcome o = loader_failure(res->err, &detail);
		if (o != GM_OK) {
			c->outcome = o;
			c->detail = detail;
			return;
		}
		if (two) {
			set_mixed(res, false, ran_ld, c);
			return;
		}
		/* qemu-user loads the program and its PT_INTERP itself: a
		 * missing interpreter or a file it cannot run is its message,
		 * not a loader's ("qemu-aarch64-static: Could not open
		 * '/lib/ld-linux-aarch64.so.1': No such file or directory"). */
		const char *q = qemu_failure(res->err);
		if (q) {
			c->outcome = GM_EXEC_FAILED;
			c->detail = first_line(q);
			return;
		}
		/* A system call qemu-user does not implement (QEMU_LOG=unimp,
		 * method_emulate): the emulator's gap, not glibc's. */
		cleanup_free char *gap = unsupported_syscalls(res->err);
		if (gap) {
			c->outcome = GM_FAILED;
			c->detail = xasprintf("exit %d under the emulator, which does not implement "
					      "syscall %s (qemu: Unsupported syscall)", res->exit_code, gap);
			return;
		}
		/* The explicit loader cannot find or run the program itself. */
		if (res->exit_code == 127 && strstr(res->err, "No such file or directory")) {
			c->outcome = GM_EXEC_FAILED;
			c->detail = first_line(res->err);
			return;
		}
		c->outcome = GM_FAILED;
		free(detail);
		char *line = first_line(res->err);
		c->detail = xasprintf("exit %d%s%s", res->exit_code, *line ? ": " : "", line);
		free(line);
		return;
	}
	/* Every probe reports first (cases/common/probe.h): exit 0 without
	 * the report means something else ran, e.g. a loader that is a
	 * script.  That is not ok, whatever the exit status says. */
	if (expect && !c->ran_glibc) {
		c->outcome = GM_WRONG_LIBC;
		c->detail = xstrdup("no probe report (no glibc= line): the probe did not run");
		return;
	}
	if (expect && expect->glibc_version && c->ran_glibc &&
	    strcmp(c->ran_glibc, expect->glibc_version) != 0) {
		c->outcome = GM_WRONG_LIBC;
		c->detail = xasprintf("ran on glibc %s (%s)", c->ran_glibc,
				      c->ran_libc ? c->ran_libc : "?");
		return;
	}
	if (expect && expect->libdirs && c->ran_libc && strcmp(c->ran_libc, "static") != 0 &&
	    !path_directly_in(c->ran_libc, expect->libdirs)) {
		c->outcome = GM_WRONG_LIBC;
		c->detail = xasprintf("mapped %s", c->ran_libc);
		return;
	}
	c->outcome = GM_OK;
	c->detail = xstrdup("");
}

void classified_release(struct classified *c)
{
	free(c->detail);
	free(c->ran_glibc);
	free(c->ran_libc);
	memset(c, 0, sizeof(*c));
}
