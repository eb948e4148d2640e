/* glibc-inject: an OCI hook (createRuntime or prestart) that binds a host
 * glibc, whole, over an older glibc inside a container, and optionally
 * other host libraries into a directory registered with the container's
 * ld.so cache.  Its own program, not part of glibc-matrix: it links the
 * base and elf layers and the hook folder only (Makefile). */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "hook/injection.h"
#include "hook/msg.h"
#include "hook/state.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
	"Usage: glibc-inject [OPTION]... < STATE\n"
	"\n"
	"An OCI runtime hook (createRuntime or prestart stage) for runc, crun, podman\n"
	"and Sarus.  It reads the container's state (OCI runtime spec: ociVersion, id,\n"
	"status, pid, bundle) on standard input, takes the root filesystem from\n"
	"root.path of <bundle>/config.json, enters the mount namespace of the\n"
	"container's process and, when the container's glibc is older than the host\n"
	"set, bind-mounts every file of the set read-only over the container's file\n"
	"of the same soname in the directory of its libc.so.6, and the loader over\n"
	"the architecture's standard interpreter path (/lib64/ld-linux-x86-64.so.2 on\n"
	"x86_64) too.  For a file the container lacks, the directory gets an overlay\n"
	"whose upper layer is a private tmpfs holding an empty file to bind over\n"
	"(read-only if the directory is): the image is never written, and writes to\n"
	"that directory inside the container last as long as it does.  Where the\n"
	"overlay would hide mounts below the directory, such files are left out.\n"
	"\n"
	"Options:\n"
	"  --glibc-libs LIST   colon-separated absolute paths of the host files of the\n"
	"                      glibc to inject (default: $GLIBC_LIBS, as Sarus's glibc\n"
	"                      hook; the option wins).  Each must be a library of glibc\n"
	"                      with a soname; the set must contain the loader\n"
	"                      (ld-linux*.so.*) and libc.so.6 unless --partial.\n"
	"  --partial           negative controls only: inject exactly the files listed,\n"
	"                      even an incomplete set; a loader and a libc.so.6 of two\n"
	"                      builds in one process is a mixed glibc, which fails.\n"
	"  --lib FILE          a host library that is not glibc's (a GPU driver's, say)\n"
	"                      to bind into --lib-dir under its soname; repeatable.\n"
	"  --lib-dir DIR       the container directory for --lib files (default\n"
	"                      " INJECT_LIB_DIR "), created when missing, in an\n"
	"                      overlay as above on its deepest existing directory.\n"
	"  --update-cache      after injecting, write\n"
	"                      /etc/ld.so.conf.d/000-glibc-inject.conf naming --lib-dir\n"
	"                      in the container and run the trusted ldconfig as\n"
	"                      `ldconfig -r .` in a private mount namespace whose\n"
	"                      view is the root's own mount and the injected files\n"
	"                      (no /proc, /sys, /dev or other mount of the\n"
	"                      container: nothing the image names leads out), so\n"
	"                      that programs find the --lib files without\n"
	"                      LD_LIBRARY_PATH or RUNPATH.\n"
	"  --ldconfig PATH     the trusted ldconfig (default: $LDCONFIG_PATH, else\n"
	"                      " INJECT_LDCONFIG "): an absolute path of a regular file owned\n"
	"                      by root and not writable by group or others, else refused.\n"
	"  --log FILE          append every message to FILE too (runc shows a hook's\n"
	"                      output only when the hook fails).\n"
	"  --help              show this text.\n"
	"\n"
	"Nothing is injected when the container has no glibc, or one as new as the\n"
	"set's or newer (versions come from the version nodes and banner of the\n"
	"libc.so.6 files, never from running them); --lib files are injected still,\n"
	"unless the container has no glibc at all.  Libraries of the container's glibc\n"
	"that the set does not replace are named in one warning each and left in\n"
	"place.\n"
	"\n"
	"Safety: every path inside the container is resolved by the kernel inside the\n"
	"root (openat2 RESOLVE_IN_ROOT, no /proc magic links), so a symbolic link or\n"
	"'..' that points out of the image stays inside it.  Host files are opened\n"
	"before entering the container's namespace and bound as opened.  No program of\n"
	"the container runs.  Everything is resolved and checked before the first\n"
	"mount; a failure takes back every mount, file and directory made.  The set's\n"
	"files are opened beneath the fd of their directory, resolved once, so a tree\n"
	"changed while the hook runs gets the whole set in one directory.  An image's\n"
	"libc.so.6 over 256 MiB is refused unread.\n"
	"\n"
	"Exit status: 0 injected, or nothing to do (the reason is said); 1 refused or\n"
	"failed (the message says why, nothing stays mounted); 2 usage.\n"
	"\n"
	"Example (runc config.json):\n"
	"  \"hooks\": {\"createRuntime\": [{\"path\": \"/usr/local/bin/glibc-inject\",\n"
	"      \"args\": [\"glibc-inject\", \"--log\", \"/var/log/glibc-inject.log\"],\n"
	"      \"env\": [\"GLIBC_LIBS=/opt/glibc/lib/ld-linux-x86-64.so.2:/opt/glibc/lib/libc.so.6\"]}]}\n"
	"podman: --hooks-dir with build/hooks.d/glibc-inject.json and\n"
	"  --annotation com.hooks.glibc.enabled=true\n";

enum {
	OPT_GLIBC_LIBS = 1000,
	OPT_LDCONFIG,
	OPT_PARTIAL,
	OPT_LIB,
	OPT_LIB_DIR,
	OPT_UPDATE_CACHE,
	OPT_LOG,
	OPT_HELP,
};

static const struct option longopts[] = {
	{"glibc-libs", required_argument, NULL, OPT_GLIBC_LIBS},
	{"ldconfig", required_argument, NULL, OPT_LDCONFIG},
	{"partial", no_argument, NULL, OPT_PARTIAL},
	{"lib", required_argument, NULL, OPT_LIB},
	{"lib-dir", required_argument, NULL, OPT_LIB_DIR},
	{"update-cache", no_argument, NULL, OPT_UPDATE_CACHE},
	{"log", required_argument, NULL, OPT_LOG},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* An absolute container directory without "." or ".." components, not
 * the root itself; trailing and doubled slashes dropped.  NULL when
 * unusable. */
static char *clean_lib_dir(const char *dir)
{
	if (dir[0] != '/')
		return NULL;
	struct strbuf out = STRBUF_INIT;
	cleanup_free char *copy = xstrdup(dir);
	char *save = NULL;
	for (char *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
			strbuf_release(&out);
			return NULL;
		}
		strbuf_addf(&out, "/%s", p);
	}
	if (!out.len)
		return NULL;
	return strbuf_detach(&out);
}

static int usage(const char *fmt, const char *arg)
{
	fputs("glibc-inject: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\ntry 'glibc-inject --help'\n", stderr);
	return GM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	cleanup_strv char **glibc_libs = NULL;
	cleanup_strv char **libs = xcalloc(1, sizeof(char *));
	cleanup_free char *lib_dir = xstrdup(INJECT_LIB_DIR);
	const char *ldconfig = getenv("LDCONFIG_PATH");
	const char *log = NULL;
	bool partial = false, update_cache = false;
	int c;

	if (!ldconfig || !*ldconfig)
		ldconfig = INJECT_LDCONFIG;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_GLIBC_LIBS:
			strv_free(glibc_libs);
			glibc_libs = strv_split(optarg, ":");
			break;
		case OPT_LDCONFIG:
			ldconfig = optarg;
			break;
		case OPT_PARTIAL:
			partial = true;
			break;
		case OPT_LIB:
			strv_push(&libs, optarg);
			break;
		case OPT_LIB_DIR:
			free(lib_dir);
			if (!(lib_dir = clean_lib_dir(optarg)))
				return usage("--lib-dir '%s': want an absolute directory below / "
					     "without '.' or '..'", optarg);
			break;
		case OPT_UPDATE_CACHE:
			update_cache = true;
			break;
		case OPT_LOG:
			log = optarg;
			break;
		case OPT_HELP:
			fputs(help, stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		default:
			return usage("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage("unexpected argument '%s' (the state comes on standard input)",
			     argv[optind]);
	if (!glibc_libs)
		/* "a:b::c": empty entries name no file. */
		glibc_libs = strv_split(getenv("GLIBC_LIBS") ? getenv("GLIBC_LIBS") : "", ":");

	struct gm_err *err = NULL;
	struct hook_state st = {0};
	struct inject_opts o = {
		.glibc_libs = glibc_libs,
		.partial = partial,
		.libs = libs,
		.lib_dir = lib_dir,
		.update_cache = update_cache,
		.ldconfig = ldconfig,
	};
	int rc = log ? hook_log_open(log, &err) : 0;
	if (rc == 0 && (rc = hook_state_read(STDIN_FILENO, &st, &err)) == 0) {
		hook_log_container(st.id);
		rc = inject_run(&o, &st, &err);
	}
	if (rc < 0) {
		hook_msg("error: %s", err ? err->msg : "unknown error");
		gm_err_free(&err);
	}
	hook_state_release(&st);
	hook_log_close();
	return rc < 0 ? 1 : 0;
}
