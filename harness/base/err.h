/* One error type, passed up to main (crun's libcrun_error_t, git's error()).
 *
 * Contract: a failing function sets *err with gm_err_set() and returns its
 * result (-1).  Callers either handle the error and gm_err_free() it, or add
 * context with gm_err_wrap() and return -1 themselves.  Only main() prints an
 * error and turns its code into the process exit status.  Library code never
 * calls exit() and never prints except progress on request. */
#ifndef GM_ERR_H
#define GM_ERR_H

/* Documented exit codes (README "Exit codes"). */
enum gm_exit {
	GM_EXIT_OK = 0,          /* everything as expected */
	GM_EXIT_FINDINGS = 1,    /* incompatibility, unexpected outcome, mismatch */
	GM_EXIT_USAGE = 2,       /* bad command line or bad input named by the user */
	GM_EXIT_INFRA = 3,       /* download, build, spawn, runtime, disk */
	GM_EXIT_SKIP = 77,       /* unsupported on this machine */
	GM_EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM: work cleaned up */
};

struct gm_err {
	int code;      /* enum gm_exit */
	int sys_errno; /* 0 if not a system error */
	char *msg;     /* lowercase, no trailing full stop */
};

/* Sets *err (if err is non-NULL and *err is NULL) and returns -1.
 * errnum != 0 appends ": strerror(errnum)". */
int gm_err_set(struct gm_err **err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefixes "context: " to an existing error; returns -1. */
int gm_err_wrap(struct gm_err **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void gm_err_free(struct gm_err **err);

#define gm_usage(err, ...) gm_err_set((err), GM_EXIT_USAGE, 0, __VA_ARGS__)
#define gm_infra(err, errnum, ...) gm_err_set((err), GM_EXIT_INFRA, (errnum), __VA_ARGS__)

#endif
