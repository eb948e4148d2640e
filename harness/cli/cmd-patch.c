/* glibc-matrix patch FILE -o OUT: rewrites PT_INTERP and the search path of
 * a copy of FILE (elfpatch.c does the work). */
#define _GNU_SOURCE
#include "base/cleanup.h"
#include "cli/cmd.h"
#include "elf/elfinfo.h"
#include "elf/elfpatch.h"
#include "base/arch.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "store/resolve.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cmd_fn cmd_patch;

static const char help[] =
	"usage: glibc-matrix patch FILE -o OUT [--interp PATH | --sysroot S]\n"
	"                          [--runpath P | --rpath P | --remove-runpath]\n"
	"       glibc-matrix patch FILE... -o DIR [...]\n"
	"\n"
	"Writes a copy of the ELF executable or shared library FILE to OUT with a new\n"
	"program interpreter (PT_INTERP) and/or library search path.  FILE is never\n"
	"modified; OUT is checked by reading it back before it replaces anything.\n"
	"A string that fits is written in place; otherwise a new segment is appended.\n"
	"With several FILEs, or when OUT is a directory, each copy is DIR/<name of\n"
	"FILE>; either every FILE is patched or no output is created.\n"
	"\n"
	"  -o, --output OUT     the patched copy (written atomically, FILE's mode)\n"
	"  --interp PATH        the dynamic loader to request (FILE needs PT_INTERP)\n"
	"  --sysroot S          run on sysroot S: its loader as PT_INTERP and its library\n"
	"                       directories as DT_RUNPATH (unless a path option below\n"
	"                       says otherwise); a suite name or version means the\n"
	"                       sysroot of FILE's architecture\n"
	"  --runpath P          set DT_RUNPATH to P (':'-separated); a DT_RPATH\n"
	"                       becomes DT_RUNPATH\n"
	"  --rpath P            set DT_RPATH to P; a DT_RUNPATH becomes DT_RPATH\n"
	"  --remove-runpath     remove DT_RUNPATH and DT_RPATH\n"
	"  -h, --help           this text\n"
	"\n"
	"Exit codes: 0 patched, 2 usage, or FILE not ELF, malformed or lacking what is\n"
	"asked for (no PT_INTERP, no dynamic section), 3 cannot write or verify OUT.\n";

enum { OPT_INTERP = 1000, OPT_RUNPATH, OPT_RPATH, OPT_REMOVE, OPT_SYSROOT };

static int set_path_op(struct elf_patch_opts *o, enum elf_patch_path_op op, const char *path,
		       struct gm_err **err)
{
	if (o->path_op != ELF_PATCH_PATH_KEEP && o->path_op != op)
		return gm_usage(err, "patch: --runpath, --rpath and --remove-runpath exclude "
				     "each other");
	o->path_op = op;
	o->path = path;
	return 0;
}

static int parse_args(struct gm_ctx *ctx, int argc, char **argv, struct elf_patch_opts *o, char ***in,
		      const char **out, const char **sysroot, bool *help_only, struct gm_err **err)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"interp", required_argument, NULL, OPT_INTERP},
		{"runpath", required_argument, NULL, OPT_RUNPATH},
		{"rpath", required_argument, NULL, OPT_RPATH},
		{"remove-runpath", no_argument, NULL, OPT_REMOVE},
		{"sysroot", required_argument, NULL, OPT_SYSROOT},
		{"help", no_argument, NULL, 'h'},
		CMD_OPT_QUIET,
		{NULL, 0, NULL, 0},
	};
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "o:hq", opts, NULL)) != -1) {
		if (c == 'q') {
			cmd_quiet(ctx);
			continue;
		}
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case OPT_INTERP:
			o->interp = optarg;
			break;
		case OPT_RUNPATH:
			rc = set_path_op(o, ELF_PATCH_PATH_RUNPATH, optarg, err);
			break;
		case OPT_RPATH:
			rc = set_path_op(o, ELF_PATCH_PATH_RPATH, optarg, err);
			break;
		case OPT_REMOVE:
			rc = set_path_op(o, ELF_PATCH_PATH_REMOVE, NULL, err);
			break;
		case OPT_SYSROOT:
			*sysroot = optarg;
			break;
		case 'h':
			*help_only = true;
			return 0;
		default:
			return cmd_bad_option(err, "patch", argv, "o:hq", opts);
		}
	}
	if (rc < 0)
		return -1;
	if (*sysroot && o->interp)
		return gm_usage(err, "patch: --sysroot sets the interpreter; drop --interp");
	if (optind >= argc)
		return gm_usage(err, "patch: missing FILE (try --help)");
	while (optind < argc)
		strv_push(in, argv[optind++]);
	if (!*out)
		return gm_usage(err, "patch: missing -o OUT (FILE is never modified)");
	return 0;
}

/* --sysroot S: S resolved for the files' architecture (each must be S's),
 * its loader as the interpreter and, unless a path option was given, its
 * library directories as DT_RUNPATH (what the interp method does). */
static int use_sysroot(const struct gm_ctx *ctx, const char *name, char **in,
		       struct elf_patch_opts *o, struct sysroot *s, char **runpath,
		       struct gm_err **err)
{
	struct elf_info info;
	int r = elf_info_read(in[0], &info, err);
	if (r <= 0)
		return r < 0 ? -1 : gm_usage(err, "'%s' is not an ELF file", in[0]);
	const struct gm_arch *a = arch_by_machine(info.machine, info.elfclass);
	elf_info_release(&info);
	if (sysroot_resolve(ctx->cfg, ctx, name, a ? a->gnu : NULL, s, err) < 0)
		return -1;
	for (size_t i = 0; in[i]; i++) {
		if (elf_info_read(in[i], &info, NULL) != 1)
			continue; /* elf_patch_many names it */
		const struct gm_arch *fa = arch_by_machine(info.machine, info.elfclass);
		elf_info_release(&info);
		if (!fa || strcmp(fa->gnu, s->arch) != 0)
			return gm_usage(err, "'%s' is a %s file and sysroot %s is %s", in[i],
					fa ? fa->gnu : "foreign", s->name, s->arch);
	}
	o->interp = s->loader;
	if (o->path_op == ELF_PATCH_PATH_KEEP) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_join(&sb, s->libdirs, ":");
		*runpath = strbuf_detach(&sb);
		o->path_op = ELF_PATCH_PATH_RUNPATH;
		o->path = *runpath;
	}
	return 0;
}

/* The output of each input: OUT itself, or OUT/<basename> when OUT is a
 * directory (required for several inputs, as for cp). */
static int output_names(char **in, const char *out, char ***ret, struct gm_err **err)
{
	size_t n = strv_len(in);
	if (n == 1 && !path_is_dir(out)) {
		strv_push(ret, out);
		return 0;
	}
	if (!path_is_dir(out))
		return gm_usage(err, "patch: several FILEs need -o DIR, and '%s' is not a directory",
				out);
	for (size_t i = 0; i < n; i++) {
		const char *slash = strrchr(in[i], '/');
		const char *base = slash ? slash + 1 : in[i];
		char *o = path_join(out, base);
		if (!*base || strv_contains(*ret, o)) {
			free(o);
			return gm_usage(err, "patch: two FILEs would both be written to '%s/%s'", out,
					base);
		}
		strv_push_take(ret, o);
	}
	return 0;
}

int cmd_patch(struct gm_ctx *ctx, int argc, char **argv, struct gm_err **err)
{
	struct elf_patch_opts o = {0};
	cleanup_free struct elf_patch_result *res = NULL;
	cleanup_strv char **in = NULL, **outs = NULL;
	const char *out = NULL, *sysroot = NULL;
	cleanup_free char *runpath = NULL;
	struct sysroot s = {0};
	bool help_only = false;
	size_t n;

	if (parse_args(ctx, argc, argv, &o, &in, &out, &sysroot, &help_only, err) < 0)
		return -1;
	if (help_only)
		return gm_help(help);
	if (output_names(in, out, &outs, err) < 0)
		return -1;
	if (sysroot && use_sysroot(ctx, sysroot, in, &o, &s, &runpath, err) < 0) {
		sysroot_release(&s);
		return -1;
	}
	n = strv_len(in);
	res = xcalloc(n, sizeof(*res));
	int pr = elf_patch_many((const char *const *)in, (const char *const *)outs, n, &o, res, err);
	sysroot_release(&s);
	if (pr < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (res[i].grown)
			gm_note(ctx, "%s: new segment for%s%s%s; %llu -> %llu bytes", outs[i],
				res[i].interp_moved ? " the interpreter" : "",
				res[i].strtab_moved ? " .dynstr" : "",
				res[i].dynamic_moved ? " .dynamic" : "", res[i].old_size,
				res[i].new_size);
	return 0;
}
