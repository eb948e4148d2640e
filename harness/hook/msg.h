/* What glibc-inject says: one line a message, "glibc-inject: ...", on
 * stderr and, with --log, appended to a file as well.  runc keeps a hook's
 * output to itself unless the hook fails, so the log is the only place a
 * successful injection can be read back from. */
#ifndef GM_HOOK_MSG_H
#define GM_HOOK_MSG_H

#include "base/err.h"

/* Opens path for appending (created 0640, O_NOFOLLOW).  Before the first
 * message, so that every line reaches it. */
int hook_log_open(const char *path, struct gm_err **err);
/* The container the following log lines are about (its state's id). */
void hook_log_container(const char *id);
void hook_log_close(void);

void hook_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hook_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
