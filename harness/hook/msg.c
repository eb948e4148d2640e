#define _GNU_SOURCE
#include "hook/msg.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;
static char *log_id;

int hook_log_open(const char *path, struct gm_err **err)
{
	/* O_NOFOLLOW: the log lives on the host and the hook runs as root; a
	 * link planted where the log goes must not redirect the appends. */
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0640);
	if (log_fd < 0)
		return gm_infra(err, errno, "cannot open the log '%s'", path);
	return 0;
}

void hook_log_container(const char *id)
{
	free(log_id);
	log_id = id ? xstrdup(id) : NULL;
}

void hook_log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	free(log_id);
	log_id = NULL;
}

static void emit(const char *kind, const char *fmt, va_list ap)
{
	char *msg;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	char *line = xasprintf("glibc-inject: %s%s\n", kind, msg);
	/* One write a line, so that lines of hooks running at once (one per
	 * container) do not interleave in the log. */
	if (write(STDERR_FILENO, line, strlen(line)) < 0) {
		/* stderr closed: the log may still get it */
	}
	if (log_fd >= 0) {
		char *now = now_rfc3339();
		char *logged = log_id ? xasprintf("%s [%s] %s", now, log_id, line)
				      : xasprintf("%s %s", now, line);
		if (write(log_fd, logged, strlen(logged)) < 0) {
			/* nowhere left to say so */
		}
		free(logged);
		free(now);
	}
	free(line);
	free(msg);
}

void hook_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void hook_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}
