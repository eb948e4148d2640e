#define _GNU_SOURCE
#include "cli/build-env.h"
#include "base/arch.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "probes/toolchain.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "cc f1 f2 ...": the words shell-quoted where they need it, as CC holds
 * them (make, CMake and Meson split CC as a shell does). */
static char *joined(const char *cc, char *const *a, char *const *b)
{
	cleanup_strv char **v = xcalloc(1, sizeof(char *));
	if (cc)
		strv_push(&v, cc);
	for (size_t i = 0; a && a[i]; i++)
		strv_push(&v, a[i]);
	for (size_t i = 0; b && b[i]; i++)
		strv_push(&v, b[i]);
	struct strbuf sb = STRBUF_INIT;
	strbuf_add_shell_words(&sb, v);
	return strbuf_detach(&sb);
}

/* cargo's flags: one -Clink-arg= per word, separated by 0x1f
 * (CARGO_ENCODED_RUSTFLAGS), so no word is split. */
static char *rust_flags(const struct toolchain *t)
{
	struct strbuf sb = STRBUF_INIT;
	char *const *parts[] = {t->cflags, t->ldflags};
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; parts[k][i]; i++)
			strbuf_addf(&sb, "%s-Clink-arg=%s", sb.len ? "\x1f" : "", parts[k][i]);
	return strbuf_detach(&sb);
}

/* pkg-config: the sysroot's .pc directories only, paths inside it. */
static void pkg_config(const struct sysroot *s, char ***env)
{
	const struct gm_arch *a = arch_by_gnu(s->arch);
	cleanup_strv char **dirs = xcalloc(1, sizeof(char *));
	if (a)
		strv_push_take(&dirs, xasprintf("%s/usr/lib/%s/pkgconfig", s->dir, a->triplet));
	strv_push_take(&dirs, xasprintf("%s/usr/lib/pkgconfig", s->dir));
	strv_push_take(&dirs, xasprintf("%s/usr/share/pkgconfig", s->dir));
	struct strbuf sb = STRBUF_INIT;
	strbuf_join(&sb, dirs, ":");
	strv_push_take(env, xasprintf("PKG_CONFIG_LIBDIR=%s", strbuf_str(&sb)));
	strbuf_release(&sb);
	strv_push_take(env, xasprintf("PKG_CONFIG_SYSROOT_DIR=%s", s->dir));
	strv_push(env, "PKG_CONFIG_PATH");
}

int build_env(const struct gm_config *cfg, const struct sysroot *s, char ***ret,
	      struct gm_err **err)
{
	struct toolchain c = {0}, cxx = {0};
	if (toolchain_for(cfg, s, false, TOOLCHAIN_PORTABLE, &c, err) < 0)
		return -1;
	if (toolchain_for(cfg, s, true, TOOLCHAIN_PORTABLE, &cxx, err) < 0) {
		toolchain_release(&c);
		return -1;
	}
	char **env = xcalloc(1, sizeof(char *));
	cleanup_free char *cc = joined(c.cc, c.cflags, c.ldflags);
	cleanup_free char *cxxs = joined(cxx.cc, cxx.cflags, cxx.ldflags);
	cleanup_free char *cgo_c = joined(NULL, c.cflags, NULL);
	cleanup_free char *cgo_cxx = joined(NULL, cxx.cflags, NULL);
	/* go links with $CC, which holds -specs= already: gcc refuses a specs
	 * file read twice. */
	cleanup_strv char **ld = xcalloc(1, sizeof(char *));
	for (size_t i = 0; c.ldflags[i]; i++)
		if (!str_starts(c.ldflags[i], "-specs="))
			strv_push(&ld, c.ldflags[i]);
	cleanup_free char *cgo_ld = joined(NULL, ld, NULL);
	cleanup_free char *rust = rust_flags(&c);
	strv_push_take(&env, xasprintf("CC=%s", cc));
	strv_push_take(&env, xasprintf("CXX=%s", cxxs));
	strv_push(&env, "CGO_ENABLED=1");
	strv_push_take(&env, xasprintf("CGO_CFLAGS=%s", cgo_c));
	strv_push_take(&env, xasprintf("CGO_CXXFLAGS=%s", cgo_cxx));
	strv_push_take(&env, xasprintf("CGO_LDFLAGS=%s", cgo_ld));
	strv_push_take(&env, xasprintf("CARGO_ENCODED_RUSTFLAGS=%s", rust));
	pkg_config(s, &env);
	strv_push_take(&env, xasprintf("GLIBC_MATRIX_BUILD_FOR=%s", s->name));
	toolchain_release(&c);
	toolchain_release(&cxx);
	*ret = env;
	return 0;
}

void build_env_print(FILE *f, char *const *env)
{
	for (size_t i = 0; env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq) {
			fprintf(f, "unset %s\n", env[i]);
			continue;
		}
		char *const v[] = {(char *)eq + 1, NULL};
		struct strbuf sb = STRBUF_INIT;
		strbuf_add_shell_words(&sb, v);
		fprintf(f, "export %.*s=%s\n", (int)(eq - env[i]), env[i], strbuf_str(&sb));
		strbuf_release(&sb);
	}
}

/* nftw has no context argument: the walk's state, one walk at a time
 * (the CLI is single-threaded here). */
static struct {
	char **files;
	const struct timespec *since;
} walk;

/* An ELF executable or shared object (not an object file: ET_REL). */
static bool is_elf(const char *path)
{
	unsigned char h[18];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool yes = fd >= 0 && read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) && h[0] == 0x7f &&
		   h[1] == 'E' && h[2] == 'L' && h[3] == 'F';
	if (fd >= 0)
		close(fd);
	if (!yes)
		return false;
	/* e_type, in the file's byte order (EI_DATA: 1 little, 2 big) */
	unsigned type = h[5] == 2 ? (unsigned)(h[16] << 8 | h[17]) : (unsigned)(h[17] << 8 | h[16]);
	return type == 2 || type == 3;
}

/* A directory whose ELF files are not what the build makes to ship:
 * version control, an earlier check's report (its patched copies), the
 * build systems' own probes (CMake's compiler checks, Meson's) and
 * cargo's build scripts and intermediate crates (deps/, build/ beside
 * .fingerprint/). */
static bool not_output(const char *path, const char *base)
{
	static const char *const never[] = {".git", "CMakeFiles", "meson-private", ".fingerprint",
					    "incremental"};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strcmp(base, never[i]) == 0)
			return true;
	cleanup_free char *doc = path_join(path, "results.json");
	if (path_exists(doc))
		return true;
	if (strcmp(base, "deps") != 0 && strcmp(base, "build") != 0)
		return false;
	cleanup_free char *fp = xasprintf("%.*s.fingerprint", (int)(base - path), path);
	return path_is_dir(fp);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D)
		return not_output(path, path + ftw->base) ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	const struct timespec *m = &st->st_mtim, *t = walk.since;
	bool recent = !t || m->tv_sec > t->tv_sec || (m->tv_sec == t->tv_sec && m->tv_nsec >= t->tv_nsec);
	if (type == FTW_F && S_ISREG(st->st_mode) && recent &&
	    is_elf(path))
		strv_push(&walk.files, path);
	return FTW_CONTINUE;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **build_outputs(const char *dir, const struct timespec *since)
{
	walk.files = xcalloc(1, sizeof(char *));
	walk.since = since;
	nftw(dir, visit, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	qsort(walk.files, strv_len(walk.files), sizeof(char *), by_name);
	char **v = walk.files;
	walk.files = NULL;
	return v;
}
