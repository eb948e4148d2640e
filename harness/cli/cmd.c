/* Helpers shared by the subcommands: dispatch and help. */
#define _GNU_SOURCE
#include "cli/cmd.h"
#include "routes/route.h"
#include <stdlib.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


int gm_help(const char *text)
{
	fputs(text, stdout);
	return 0;
}

int cmd_dispatch(struct gm_ctx *ctx, const char *prog, const struct cmd *table, int argc,
		 char **argv, struct gm_err **err)
{
	if (argc < 1)
		return gm_usage(err, "%s: missing command (try '%s --help')", prog, prog);
	for (const struct cmd *c = table; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0) {
			/* 0, not 1: only optind = 0 makes glibc's getopt forget the
			 * "+" (stop at the first non-option) of main()'s option string. */
			optind = 0;
			return c->fn(ctx, argc, argv, err);
		}
	return gm_usage(err, "%s: unknown command '%s' (try '%s --help')", prog, argv[0], prog);
}

int gm_help_routes(const char *head, unsigned caps, const char *tail)
{
	char *list = route_help(caps);
	printf("%s%s%s", head, list, tail);
	free(list);
	return 0;
}
