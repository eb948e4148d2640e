/* base/config: config_from_env reads a given environment (never the
 * process's), with the store's precedence, defaults, data directories
 * found beside the executable, and limits that fall back when malformed. */
#define _GNU_SOURCE
#include "base/config.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* No data directories here: they come from GM_DATADIR. */
#define NOWHERE "/nonexistent/gm-config-test"

static void store_precedence(void)
{
	struct gm_config c;
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_STORE=/s", "XDG_CACHE_HOME=/x", "HOME=/h", NULL},
			NOWHERE);
	TEST_COMPARE_STRING(c.store, "/s");
	config_release(&c);
	config_from_env(&c, (char *[]){"XDG_CACHE_HOME=/x", "HOME=/h", NULL}, NOWHERE);
	TEST_COMPARE_STRING(c.store, "/x/glibc-matrix");
	config_release(&c);
	/* An empty value is an unset one; a relative XDG_CACHE_HOME is
	 * ignored (the XDG rule). */
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_STORE=", "XDG_CACHE_HOME=rel", "HOME=/h", NULL},
			NOWHERE);
	TEST_COMPARE_STRING(c.store, "/h/.cache/glibc-matrix");
	config_release(&c);
	config_from_env(&c, (char *[]){NULL}, NOWHERE);
	TEST_COMPARE_STRING(c.store, "/tmp/.cache/glibc-matrix");
	config_release(&c);
}

static void relative_store_is_made_absolute(void)
{
	struct gm_config c;
	char *cwd = getcwd(NULL, 0);
	char *want = path_join(cwd, "my-store");
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_STORE=my-store", NULL}, NOWHERE);
	TEST_COMPARE_STRING(c.store, want);
	config_release(&c);
	free(want);
	free(cwd);
}

/* A name that only starts like a variable is not that variable. */
static void names_match_exactly(void)
{
	struct gm_config c;
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_STOREX=/no", "GLIBC_MATRIX_STORE=/yes", NULL},
			NOWHERE);
	TEST_COMPARE_STRING(c.store, "/yes");
	config_release(&c);
}

static void defaults(void)
{
	struct gm_config c;
	config_from_env(&c, (char *[]){"HOME=/h", NULL}, NOWHERE);
	TEST_VERIFY(str_ends(c.recipes, "/sysroots"));
	TEST_VERIFY(str_ends(c.cases, "/cases"));
	TEST_VERIFY(str_ends(c.containers, "/containers"));
	TEST_VERIFY(str_ends(c.batch_helper, "/libexec/glibc-matrix/gm-batch"));
	TEST_VERIFY(str_ends(c.hook, "/libexec/glibc-matrix/glibc-inject"));
	TEST_VERIFY(c.oci_runtime == NULL);
	TEST_VERIFY(!c.rlimit_only);
	TEST_COMPARE(c.cell_pids, 2048);
	TEST_COMPARE(c.cell_memory, 1024L << 20);
	TEST_COMPARE_STRING(c.binfmt_dir, "/proc/sys/fs/binfmt_misc");
	TEST_VERIFY(c.mirror == NULL);
	TEST_COMPARE_STRING(c.apt_dir, "/etc/apt");
	TEST_VERIFY(c.keyring == NULL);
	TEST_COMPARE_STRING(c.busybox, "/bin/busybox");
	TEST_VERIFY(c.glibc_src == NULL);
	config_release(&c);
}

static void every_variable(void)
{
	struct gm_config c;
	char *env[] = {"GLIBC_MATRIX_RECIPES=/r", "GLIBC_MATRIX_CASES=/c",
		       "GLIBC_MATRIX_CONTAINERS=/t", "GLIBC_MATRIX_LIBEXEC=/l",
		       "GLIBC_MATRIX_OCI_RUNTIME=crun", "GLIBC_MATRIX_CONTAINMENT=rlimit-only",
		       "GLIBC_MATRIX_CELL_PIDS=64", "GLIBC_MATRIX_CELL_MEMORY=256",
		       "GLIBC_MATRIX_BINFMT_DIR=/b", "GLIBC_MATRIX_MIRROR=http://m.example/debian//",
		       "GLIBC_MATRIX_APT_DIR=/a", "GLIBC_MATRIX_KEYRING=/k.gpg",
		       "GLIBC_MATRIX_BUSYBOX=/bb", "GLIBC_MATRIX_GLIBC_SRC=/g", NULL};
	config_from_env(&c, env, NOWHERE);
	TEST_COMPARE_STRING(c.recipes, "/r");
	TEST_COMPARE_STRING(c.cases, "/c");
	TEST_COMPARE_STRING(c.containers, "/t");
	TEST_COMPARE_STRING(c.batch_helper, "/l/gm-batch");
	TEST_COMPARE_STRING(c.hook, "/l/glibc-inject");
	TEST_COMPARE_STRING(c.oci_runtime, "crun");
	TEST_VERIFY(c.rlimit_only);
	TEST_COMPARE(c.cell_pids, 64);
	TEST_COMPARE(c.cell_memory, 256L << 20);
	TEST_COMPARE_STRING(c.binfmt_dir, "/b");
	TEST_COMPARE_STRING(c.mirror, "http://m.example/debian");
	TEST_COMPARE_STRING(c.apt_dir, "/a");
	TEST_COMPARE_STRING(c.keyring, "/k.gpg");
	TEST_COMPARE_STRING(c.busybox, "/bb");
	TEST_COMPARE_STRING(c.glibc_src, "/g");
	config_release(&c);
}

/* Out of range or not a number: the default, as before (never an error). */
static void bad_limits_fall_back(void)
{
	struct gm_config c;
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_CELL_PIDS=7", "GLIBC_MATRIX_CELL_MEMORY=lots",
				       "GLIBC_MATRIX_CONTAINMENT=cgroup", NULL}, NOWHERE);
	TEST_COMPARE(c.cell_pids, 2048);
	TEST_COMPARE(c.cell_memory, 1024L << 20);
	TEST_VERIFY(!c.rlimit_only);
	config_release(&c);
}

/* sysroots/ beside the executable wins when it holds versions.tsv. */
static void data_beside_the_executable(void)
{
	char tmp[] = "/tmp/gm-config-XXXXXX";
	TEST_VERIFY(mkdtemp(tmp) != NULL);
	char *sys = path_join(tmp, "sysroots");
	char *marker = path_join(sys, "versions.tsv");
	TEST_COMPARE(mkdir_p(sys, 0755, NULL), 0);
	TEST_COMPARE(write_file_atomic(marker, "", 0, 0644, NULL), 0);
	struct gm_config c;
	config_from_env(&c, (char *[]){NULL}, tmp);
	TEST_COMPARE_STRING(c.recipes, sys);
	/* cases/ is not there: not taken from beside the executable. */
	TEST_VERIFY(strncmp(c.cases, tmp, strlen(tmp)) != 0);
	config_release(&c);
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_RECIPES=/r", NULL}, tmp);
	TEST_COMPARE_STRING(c.recipes, "/r");
	config_release(&c);
	rm_rf(tmp, NULL);
	free(marker);
	free(sys);
}

/* The local glibc source directory: ../shared/glibc-src beside the
 * checkout when it is there, the variable before it. */
static void glibc_src_beside_the_checkout(void)
{
	char tmp[] = "/tmp/gm-config-XXXXXX";
	TEST_VERIFY(mkdtemp(tmp) != NULL);
	char *checkout = path_join(tmp, "checkout");
	char *src = path_join(tmp, "shared/glibc-src");
	TEST_COMPARE(mkdir_p(checkout, 0755, NULL), 0);
	struct gm_config c;
	config_from_env(&c, (char *[]){NULL}, checkout);
	TEST_VERIFY(c.glibc_src == NULL);
	config_release(&c);
	TEST_COMPARE(mkdir_p(src, 0755, NULL), 0);
	config_from_env(&c, (char *[]){NULL}, checkout);
	TEST_COMPARE_STRING(c.glibc_src, src);
	config_release(&c);
	config_from_env(&c, (char *[]){"GLIBC_MATRIX_GLIBC_SRC=/g", NULL}, checkout);
	TEST_COMPARE_STRING(c.glibc_src, "/g");
	config_release(&c);
	rm_rf(tmp, NULL);
	free(src);
	free(checkout);
}

/* What make install lays out under a prefix: the driver in bin/ finds
 * share/glibc-matrix/ and libexec/glibc-matrix/ beside it. */
static void installed_layout(void)
{
	char tmp[] = "/tmp/gm-config-XXXXXX";
	TEST_VERIFY(mkdtemp(tmp) != NULL);
	const char *files[] = {"share/glibc-matrix/cases/cases.ini",
			       "share/glibc-matrix/sysroots/versions.tsv",
			       "libexec/glibc-matrix/gm-batch", "libexec/glibc-matrix/glibc-inject", NULL};
	for (size_t i = 0; files[i]; i++) {
		char *f = path_join(tmp, files[i]);
		char *d = xstrdup(f);
		*strrchr(d, '/') = '\0';
		TEST_COMPARE(mkdir_p(d, 0755, NULL), 0);
		TEST_COMPARE(write_file_atomic(f, "", 0, 0644, NULL), 0);
		free(f);
		free(d);
	}
	char *bin = path_join(tmp, "bin");
	TEST_COMPARE(mkdir_p(bin, 0755, NULL), 0);
	struct gm_config c;
	config_from_env(&c, (char *[]){NULL}, bin);
	TEST_VERIFY(str_ends(c.cases, "/../share/glibc-matrix/cases"));
	TEST_VERIFY(strncmp(c.cases, tmp, strlen(tmp)) == 0);
	TEST_VERIFY(strncmp(c.recipes, tmp, strlen(tmp)) == 0);
	TEST_VERIFY(str_ends(c.batch_helper, "/../libexec/glibc-matrix/gm-batch"));
	TEST_VERIFY(str_ends(c.hook, "/../libexec/glibc-matrix/glibc-inject"));
	/* containers/ was not installed there: the configured directory. */
	TEST_VERIFY(strncmp(c.containers, tmp, strlen(tmp)) != 0);
	config_release(&c);
	rm_rf(tmp, NULL);
	free(bin);
}

int main(void)
{
	RUN_TEST(store_precedence);
	RUN_TEST(relative_store_is_made_absolute);
	RUN_TEST(names_match_exactly);
	RUN_TEST(defaults);
	RUN_TEST(every_variable);
	RUN_TEST(bad_limits_fall_back);
	RUN_TEST(data_beside_the_executable);
	RUN_TEST(glibc_src_beside_the_checkout);
	RUN_TEST(installed_layout);
	TAP_END();
}
