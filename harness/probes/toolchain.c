#define _GNU_SOURCE
#include "probes/toolchain.h"
#include "base/cleanup.h"
#include "exec/proc.h"
#include "base/strbuf.h"
#include "base/fs.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* The compiler's #include <...> search list, from `cc -E -v`. */
static int search_list(const char *cc, bool cxx, char ***ret, struct gm_err **err)
{
	char *argv[] = {(char *)cc, "-x", cxx ? "c++" : "c", "-E", "-v", "/dev/null", NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 1 << 16, .log_fd = -1,
				 .stdin_fd = -1, .timeout_s = 60};
	struct proc_result res;
	char **dirs = xcalloc(1, sizeof(char *));
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		proc_result_release(&res);
		strv_free(dirs);
		return gm_infra(err, 0, "cannot ask '%s' for its include directories: %s", cc, how);
	}
	bool in = false;
	for (char *save = NULL, *l = strtok_r(res.err, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (strstr(l, "#include <...> search starts here:"))
			in = true;
		else if (strstr(l, "End of search list."))
			in = false;
		else if (in && l[0] == ' ')
			strv_push(&dirs, str_trim(l));
	}
	proc_result_release(&res);
	*ret = dirs;
	return 0;
}

static bool host_system_dir(const char *d)
{
	return strcmp(d, "/usr/include") == 0 || strcmp(d, "/usr/local/include") == 0 ||
	       (str_starts(d, "/usr/include/") && str_ends(d, "-linux-gnu"));
}

char *toolchain_crtdir(const struct sysroot *s)
{
	for (size_t i = 0; s->libdirs[i]; i++) {
		cleanup_free char *p = path_join(s->libdirs[i], "crt1.o");
		if (path_is_file(p))
			return xstrdup(s->libdirs[i]);
	}
	/* Debian keeps crt files in usr/lib/<triplet>, beside lib/<triplet>. */
	cleanup_free char *usr = xasprintf("%s/usr/lib/%s-linux-gnu", s->dir, s->arch);
	cleanup_free char *p = path_join(usr, "crt1.o");
	return path_is_file(p) ? xstrdup(usr) : NULL;
}

int toolchain_for(const struct sysroot *s, bool cxx, enum toolchain_mode mode,
		  struct toolchain *t, struct gm_err **err)
{
	const char *env = getenv(cxx ? "CXX" : "CC");
	cleanup_strv char **dirs = NULL;
	bool sysinc_added = false;

	memset(t, 0, sizeof(*t));
	t->cc = xstrdup(env && *env ? env : cxx ? "g++" : "gcc");
	t->cflags = xcalloc(1, sizeof(char *));
	t->ldflags = xcalloc(1, sizeof(char *));
	if (search_list(t->cc, cxx, &dirs, err) < 0) {
		toolchain_release(t);
		return -1;
	}
	strv_push(&t->cflags, "-nostdinc");
	for (size_t i = 0; dirs[i]; i++) {
		if (!host_system_dir(dirs[i])) {
			strv_push(&t->cflags, "-isystem");
			strv_push(&t->cflags, dirs[i]);
		} else if (!sysinc_added) {
			for (size_t k = 0; s->includedirs[k]; k++) {
				strv_push(&t->cflags, "-isystem");
				strv_push(&t->cflags, s->includedirs[k]);
			}
			sysinc_added = true;
		}
	}
	if (!sysinc_added)
		for (size_t k = 0; s->includedirs[k]; k++) {
			strv_push(&t->cflags, "-isystem");
			strv_push(&t->cflags, s->includedirs[k]);
		}

	cleanup_free char *crt = toolchain_crtdir(s);
	if (!crt) {
		toolchain_release(t);
		return gm_infra(err, 0, "sysroot '%s' has no crt1.o (no libc6-dev?)", s->name);
	}
	/* Debian's libc.so names /lib/... and /usr/lib/... absolutely: the linker
	 * resolves those inside --sysroot.  A source build's names its own
	 * absolute prefix, which --sysroot would break. */
	if (strcmp(s->origin, "source") != 0)
		strv_push_take(&t->ldflags, xasprintf("--sysroot=%s", s->dir));
	strv_push_take(&t->ldflags, xasprintf("-B%s", crt));
	for (size_t i = 0; s->libdirs[i]; i++) {
		strv_push_take(&t->ldflags, xasprintf("-L%s", s->libdirs[i]));
		strv_push_take(&t->ldflags, xasprintf("-Wl,-rpath-link,%s", s->libdirs[i]));
	}
	if (!strv_contains(s->libdirs, crt))
		strv_push_take(&t->ldflags, xasprintf("-L%s", crt));
	if (mode == TOOLCHAIN_STANDALONE) {
		struct strbuf rpath = STRBUF_INIT;
		strbuf_join(&rpath, s->libdirs, ":");
		strv_push_take(&t->ldflags, xasprintf("-Wl,--dynamic-linker=%s", s->loader));
		strv_push_take(&t->ldflags, xasprintf("-Wl,-rpath,%s", strbuf_str(&rpath)));
		strbuf_release(&rpath);
		/* RUNPATH would not reach libraries loaded by libraries; RPATH does. */
		strv_push(&t->ldflags, "-Wl,--disable-new-dtags");
	}
	return 0;
}

void toolchain_release(struct toolchain *t)
{
	free(t->cc);
	strv_free(t->cflags);
	strv_free(t->ldflags);
	memset(t, 0, sizeof(*t));
}

int compiler_version(char **ret, struct gm_err **err)
{
	const char *cc = getenv("CC");
	char *argv[] = {(char *)(cc && *cc ? cc : "gcc"), "--version", NULL};
	struct proc_spec spec = {.argv = argv, .capture_max = 4096, .log_fd = -1, .stdin_fd = -1,
				 .timeout_s = 30};
	struct proc_result res;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		proc_result_release(&res);
		return gm_infra(err, 0, "cannot run the C compiler '%s --version': %s", argv[0], how);
	}
	*ret = xstrndup(res.out, strcspn(res.out, "\n"));
	proc_result_release(&res);
	return 0;
}
