/* Helpers shared by the subcommands: dispatch and help. */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "methods/method.h"
#include "base/util.h"
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

int cmd_completed(struct gm_err **err)
{
	return gm_err_set(err, GM_EXIT_OK, 0, "completion words printed");
}

void cmd_quiet(struct gm_ctx *ctx)
{
	ctx->quiet = true;
	ctx->tty = false;
}

int cmd_bad_option(struct gm_err **err, const char *cmd, char *const *argv,
		   const char *shortopts, const struct option *opts)
{
	/* NULL cmd: main()'s own options, whose errors need no prefix. */
	cleanup_free char *pre = cmd ? xasprintf("%s: ", cmd) : xstrdup("");
	const char *word = optind > 0 ? argv[optind - 1] : "";
	if (word && strcmp(word, CMD_COMPLETE_WORDS) == 0) {
		cmd_complete_options(shortopts, opts);
		return cmd_completed(err);
	}
	if (word && str_starts(word, "--") && word[2]) {
		size_t len = strcspn(word + 2, "=");
		/* getopt_long takes an exact name or an unambiguous prefix. */
		const struct option *match = NULL;
		size_t n_prefix = 0;
		for (const struct option *o = opts; o && o->name; o++) {
			if (strncmp(o->name, word + 2, len))
				continue;
			if (strlen(o->name) == len) {
				match = o;
				n_prefix = 1;
				break;
			}
			match = o;
			n_prefix++;
		}
		if (n_prefix > 1)
			return gm_usage(err, "%soption '%.*s' is ambiguous (see --help)", pre,
					(int)(len + 2), word);
		if (match && match->has_arg == no_argument && word[2 + len] == '=')
			return gm_usage(err, "%soption '--%s' takes no argument (see --help)", pre,
					match->name);
		if (match)
			return gm_usage(err, "%soption '--%s' needs an argument (see --help)", pre,
					match->name);
		return gm_usage(err, "%sunknown option '%.*s' (see --help)", pre,
				(int)(len + 2), word);
	}
	const char *known = optopt > 0 && optopt < 256 ? strchr(shortopts, optopt) : NULL;
	if (known && known[1] == ':')
		return gm_usage(err, "%soption '-%c' needs an argument (see --help)", pre, optopt);
	if (optopt > 0 && optopt < 256 && optopt != '?')
		return gm_usage(err, "%sunknown option '-%c' (see --help)", pre, optopt);
	return gm_usage(err, "%sunknown option '%s' (see --help)", pre, word ? word : "");
}

/* The closest name of the table by edit distance, if it is close enough
 * to be a typo (at most a third of the word wrong). */
static const char *closest(const struct cmd *table, const char *word)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (const struct cmd *c = table; c->name; c++) {
		size_t d = edit_distance(word, c->name);
		if (d < best_d)
			best_d = d, best = c->name;
	}
	return best && best_d * 3 <= strlen(word) + 1 ? best : NULL;
}

static int cmd_unknown(struct gm_err **err, const char *prog, const struct cmd *table,
		       const char *word)
{
	const char *near = closest(table, word);
	if (near)
		return gm_usage(err, "unknown command '%s %s'; did you mean '%s %s'? (try '%s --help')",
				prog, word, prog, near, prog);
	return gm_usage(err, "unknown command '%s %s' (try '%s --help')", prog, word, prog);
}

int cmd_dispatch(struct gm_ctx *ctx, const char *prog, const struct cmd *table, int argc,
		 char **argv, struct gm_err **err)
{
	if (argc < 1)
		return gm_usage(err, "missing command (try '%s --help')", prog);
	if (strcmp(argv[0], CMD_COMPLETE_WORDS) == 0) {
		for (const struct cmd *c = table; c->name; c++)
			puts(c->name);
		return cmd_completed(err);
	}
	for (const struct cmd *c = table; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0) {
			/* 0, not 1: only optind = 0 makes glibc's getopt forget the
			 * "+" (stop at the first non-option) of main()'s option string. */
			optind = 0;
			opterr = 0;
			return c->fn(ctx, argc, argv, err);
		}
	return cmd_unknown(err, prog, table, argv[0]);
}

int gm_help_methods(const char *head, unsigned caps, const char *tail)
{
	char *list = method_help(caps);
	printf("%s%s%s", head, list, tail);
	free(list);
	return 0;
}
