/* Containers through an OCI runtime (runc or crun, whichever works here).
 *
 * A run gets a bundle of its own (<store>/bundles/<id>/config.json): the
 * root filesystem as / through an overlay whose upper layer lives in the
 * bundle (the runtime's mount points and a hook's injected files land
 * there, never in the shared tree; / is read-only once the hooks ran), a probe directory read-only at
 * /gm and our batch helper read-only at /gm-batch, its own pid, network,
 * ipc, uts and mount namespaces (no network: only a loopback device),
 * no capabilities, no new privileges, rlimits (no core dumps, bounded
 * files and file size), a fixed environment.  The runtime runs as a child
 * of proc_run (exec/proc.h) with a timeout; whatever happens (exit,
 * timeout, Ctrl-C) the container is deleted (runc delete --force) and the
 * bundle removed before oci_run returns.  The runtime and the hooks it
 * starts run as root where the host's files are read-only, but for the
 * runtime's state (--root), cgroupfs and the store's bundles
 * (exec/confine.h): a hook under test cannot damage the host. */
#ifndef GM_OCI_H
#define GM_OCI_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"
#include "exec/proc.h"

/* The runtime to use: cfg->oci_runtime ($GLIBC_MATRIX_OCI_RUNTIME, a name or
 * a path) or else the first of runc, crun that runs a trivial container
 * here.  The verdict is kept for the process (under a lock: container
 * groups start in parallel), so cfg must be the process's one
 * configuration.  Once it is known, containers and
 * bundles left by harnesses that were killed (SIGKILL) are deleted.  Returns -1 + err with GM_EXIT_SKIP
 * and each candidate's failure in the message when none works. */
int oci_runtime(const struct gm_config *cfg, const char **ret_path, struct gm_err **err);

/* Our static batch helper (containers/gm-batch.c, built as build/gm-batch):
 * cfg->batch_helper ($GLIBC_MATRIX_LIBEXEC/gm-batch, else build/gm-batch
 * beside the executable).  NULL + err if missing. */
const char *oci_batch_helper(const struct gm_config *cfg, struct gm_err **err);

/* A host file or directory bound read-only into the container. */
struct oci_mount {
	const char *src;        /* host path */
	const char *dst;        /* absolute path inside the container */
};

/* An OCI hook (runtime spec "hooks"), run by the runtime on the host with
 * the container's state on its stdin. */
struct oci_hook {
	char *const *argv;      /* argv[0]: the hook's absolute path */
	char *const *env;       /* NULL-terminated; may be NULL */
};

/* Our OCI hook (harness/hook/, built as build/glibc-inject): cfg->hook
 * ($GLIBC_MATRIX_LIBEXEC/glibc-inject, else build/glibc-inject beside the
 * executable).  NULL + err if missing. */
const char *oci_hook_binary(const struct gm_config *cfg, struct gm_err **err);

struct oci_spec {
	const char *rootfs;     /* directory; never written: the container's / is an
				 * overlay over it with a private upper layer,
				 * read-only once the hooks have run */
	const char *probe_dir;  /* NULL, or a host directory read-only at /gm */
	/* NULL, or (without probe_dir) a host directory read-only at /gm-work,
	 * and a tmpfs at /gm for what the command copies from it */
	const char *stage_dir;
	const char *batch_dir;  /* NULL, or a host directory read-only at /gm-batch */
	const struct oci_mount *mounts; /* more read-only binds */
	size_t n_mounts;
	const struct oci_hook *hooks;   /* createRuntime hooks, in order */
	size_t n_hooks;
	char *const *env;       /* K=V for the process, besides PATH, LANG and HOME */
	char *const *argv;      /* the command inside the container */
	double timeout_s;       /* > 0; the runtime is killed after it */
	size_t capture_max;     /* bytes kept of stdout and of stderr */
	char *ret_id;           /* NULL, or OCI_ID_MAX bytes: the container id used */
};

/* Runs spec->argv in a container.  Returns 0 when the runtime ran (inspect
 * *res: the runtime's exit status is the command's, as runc passes it
 * through), -1 + err when no runtime works (GM_EXIT_SKIP), the bundle
 * cannot be written (GM_EXIT_INFRA) or SIGINT/SIGTERM arrived
 * (GM_EXIT_INTERRUPTED, after the cleanup). */
int oci_run(const struct gm_config *cfg, const struct oci_spec *spec, struct proc_result *res, struct gm_err **err);

/* Given the runtime's message when a container did not start: NULL
 * unless a hook's write to the host was refused (EROFS: "Read-only file
 * system" after the runtime's word "hook"), else the path the message
 * names, or "" when it names none (caller frees). */
char *oci_hook_wrote_host(const char *msg);

/* The id prefix of our containers: "gm-<pid>-" (tests check that none
 * is left behind). */
#define OCI_ID_PREFIX "gm-"
#define OCI_ID_MAX 64

#endif
