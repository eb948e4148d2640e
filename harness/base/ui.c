#include "base/ui.h"

#include <stdarg.h>
#include <stdio.h>

void gm_note(const struct gm_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (ctx && ctx->quiet)
		return;
	fputs("glibc-matrix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
