/* The end of a source build: kernel headers added, the staged glibc
 * verified by running it, the manifest written, the sysroot published. */
#define _GNU_SOURCE
#include "acquire/build-int.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"
#include "exec/proc.h"
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Kernel headers beside glibc's, so probes compile against the sysroot
 * alone: the host's linux-libc-dev trees, or for a cross build the
 * target's (linux-libc-dev-<arch>-cross, which the cross compiler uses:
 * /usr/<triplet>/include). */
static int add_kernel_headers(struct build *b, const char *incdir, struct gm_err **err)
{
	static const char *const dirs[] = {"linux", "asm-generic", "drm", "misc", "mtd",
					   "rdma", "sound", "video", "xen", NULL};
	cleanup_free char *base = b->cross ? xasprintf("/usr/%s/include", b->triplet)
					   : xstrdup("/usr/include");
	cleanup_strv char **argv = NULL;
	strv_push(&argv, "cp");
	strv_push(&argv, "-a");
	for (size_t i = 0; dirs[i]; i++) {
		cleanup_free char *d = path_join(base, dirs[i]);
		if (path_is_dir(d))
			strv_push(&argv, d);
	}
	if (strv_len(argv) == 2)
		return gm_infra(err, 0, "no kernel headers in %s (install linux-libc-dev%s)", base,
				b->cross ? "-<arch>-cross" : "");
	strv_push(&argv, incdir);
	if (build_step(b, "kernel headers", argv, NULL, err) < 0)
		return -1;
	/* asm/ is per architecture: /usr/include/<multiarch>/asm natively,
	 * /usr/<triplet>/include/asm for a cross build. */
	cleanup_free char *asmdir = b->cross ? path_join(base, "asm")
					     : xasprintf("/usr/include/%s-linux-gnu/asm", b->arch);
	if (path_is_dir(asmdir)) {
		char *cp[] = {"cp", "-a", asmdir, (char *)incdir, NULL};
		return build_step(b, "kernel headers", cp, NULL, err);
	}
	return 0;
}

static char *find_loader(const char *libdir)
{
	DIR *d = opendir(libdir);
	struct dirent *e;
	char *r = NULL;
	if (!d)
		return NULL;
	while ((e = readdir(d)))
		if (!r && str_starts(e->d_name, "ld-linux") && strstr(e->d_name, ".so."))
			r = path_join(libdir, e->d_name);
	closedir(d);
	return r;
}

/* Runs argv under the build's log; returns the captured output (merged
 * streams) in *out when the program exited 0, else an infra error naming what. */
static int verify_run(struct build *b, char **argv, char **out, struct gm_err **err)
{
	/* A cross build's programs run under the target's emulator. */
	cleanup_strv char **emulated = NULL;
	if (b->emulator) {
		strv_push(&emulated, b->emulator);
		for (size_t i = 0; argv[i]; i++)
			strv_push(&emulated, argv[i]);
		argv = emulated;
	}
	struct proc_spec spec = {.argv = argv, .capture_max = 8192, .log_fd = b->log_fd,
				 .stdin_fd = -1, .timeout_s = 30, .merge_stderr = true};
	struct proc_result res;
	int r = 0;
	if (proc_run(&spec, &res, err) < 0)
		return -1;
	if (res.exec_failed || res.exit_code != 0) {
		cleanup_free char *how = proc_describe(&res);
		r = gm_infra(err, 0, "verifying the build: '%s %s' failed (%s): %.200s", argv[0],
			     argv[strv_len(argv) - 1], how, res.out);
	} else {
		*out = xstrdup(res.out);
	}
	proc_result_release(&res);
	return r;
}

/* True if text names "version V" with V not followed by another digit or '.'
 * and digit (so 2.3 does not match 2.31). */
static bool names_version(const char *text, const char *v)
{
	cleanup_free char *want = xasprintf("version %s", v);
	for (const char *p = strstr(text, want); p; p = strstr(p + 1, want)) {
		const char *e = p + strlen(want);
		if (!(*e >= '0' && *e <= '9') && !(e[0] == '.' && e[1] >= '0' && e[1] <= '9'))
			return true;
	}
	return false;
}

/* Before we publish, the staged loader must run the staged libc.so.6 as a
 * program (libc prints its release banner): that proves the loader starts,
 * that it accepts this libc (they share GLIBC_PRIVATE interfaces, so a loader
 * and libc of two builds fail here), and that libc is our version.  Loaders
 * from 2.33 on also answer --version, which must name the same version;
 * older ones have no --version (they try to open a file of that name), which
 * is why the libc banner is the check that works for every release. */
int build_verify_libc(struct build *b, const char *loader, const char *libdir,
		      struct gm_err **err)
{
	cleanup_free char *libc = path_join(libdir, "libc.so.6");
	char *libc_argv[] = {(char *)loader, "--library-path", (char *)libdir, libc, NULL};
	cleanup_free char *out = NULL;
	progress_phase(&b->progress, "verify", NULL);
	if (verify_run(b, libc_argv, &out, err) < 0)
		return -1;
	if (!names_version(out, b->version))
		return gm_infra(err, 0, "verifying the build: '%s' run by '%s' did not report "
			        "version %s: %.200s", libc, loader, b->version, out);
	if (version_cmp(b->version, "2.33") < 0)
		return 0;
	char *ld_argv[] = {(char *)loader, "--version", NULL};
	free(out);
	out = NULL;
	if (verify_run(b, ld_argv, &out, err) < 0)
		return -1;
	if (!names_version(out, b->version))
		return gm_infra(err, 0, "verifying the build: the loader '%s --version' did not "
			        "report version %s: %.200s", loader, b->version, out);
	return 0;
}

int build_publish(struct build *b, struct sysroot *ret, struct gm_err **err)
{
	cleanup_free char *staged = path_join(b->stage, b->final);
	cleanup_free char *libdir = path_join(staged, "lib");
	cleanup_free char *incdir = path_join(staged, "include");
	cleanup_free char *sysroots = NULL;
	struct sysroot s;

	cleanup_free char *loader = find_loader(libdir);
	if (!loader)
		return gm_infra(err, 0, "no ld-linux*.so.* in '%s' after install; see %s", libdir,
				b->log);
	if (add_kernel_headers(b, incdir, err) < 0 || build_verify_libc(b, loader, libdir, err) < 0)
		return -1;

	memset(&s, 0, sizeof(s));
	s.name = xstrdup(b->name);
	s.glibc_version = xstrdup(b->version);
	s.arch = xstrdup(b->arch);
	s.origin = ORIGIN_SOURCE;
	s.dir = xstrdup(b->final);
	s.prefix = xstrdup(b->final);
	s.loader = path_join(b->final, loader + strlen(staged));
	strv_push_take(&s.libdirs, path_join(b->final, "lib"));
	strv_push_take(&s.includedirs, path_join(b->final, "include"));
	s.source_sha256 = xstrdup(b->source_sha256);
	s.configure_args = xcalloc(1, sizeof(char *));
	for (size_t i = 0; b->configure_args[i]; i++)
		strv_push(&s.configure_args, b->configure_args[i]);
	s.compiler = xstrdup(b->compiler);
	s.package_version = xstrdup("");
	s.cache_key = xstrdup(b->cache_key);
	s.created = now_rfc3339();
	s.build_log = xstrdup(b->log);

	int r = sysroot_write(staged, &s, err);
	if (r == 0 && store_dir(b->cfg, "sysroots", &sysroots, err) < 0)
		r = -1;
	if (r == 0 && store_publish(b->cfg, staged, b->final, err) < 0)
		r = -1;
	if (r < 0) {
		sysroot_release(&s);
		return -1;
	}
	*ret = s;
	return 0;
}

