#define _GNU_SOURCE
#include "base/err.h"
#include "base/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gm_err_set(struct gm_err **err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!err || *err)
		return -1; /* keep the first, innermost error */
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (errnum) {
		char *full = xasprintf("%s: %s", msg, strerror(errnum));
		free(msg);
		msg = full;
	}
	*err = xcalloc(1, sizeof(**err));
	(*err)->code = code;
	(*err)->sys_errno = errnum;
	(*err)->msg = msg;
	return -1;
}

int gm_err_wrap(struct gm_err **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *full;

	if (!err || !*err)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		abort();
	va_end(ap);
	full = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = full;
	return -1;
}

void gm_err_free(struct gm_err **err)
{
	if (!err || !*err)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}
