/* The suite's library table (acquire/debcontents.h): Contents lines as the
 * archive writes them, the table made from an index file and read back,
 * the policy's package names and the choice among packages
 * (acquire/deblibs.h). */
#include "acquire/debcontents.h"
#include "acquire/deblibs.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T "x86_64-linux-gnu"

/* debcontents_line on a copy of text: the name and packages, or NULL. */
static char *line(const char *text, const char **name)
{
	static char buf[512];
	char *pkgs = NULL;
	snprintf(buf, sizeof(buf), "%s", text);
	return debcontents_line(buf, T, name, &pkgs) ? pkgs : NULL;
}

static void test_line(void)
{
	const char *name;
	char *p = line("usr/lib/x86_64-linux-gnu/libjq.so.1                     libs/libjq1", &name);
	TEST_COMPARE_STRING(p, "libjq1");
	TEST_COMPARE_STRING(name, "libjq.so.1");
	free(p);
	/* several packages, sections dropped, non-free's two-part section */
	p = line("lib/x86_64-linux-gnu/libssl.so.3 libs/libssl3t64,oldlibs/libssl3", &name);
	TEST_COMPARE_STRING(p, "libssl3t64,libssl3");
	free(p);
	p = line("usr/lib/libfoo-1.2.so\tnon-free/libs/libfoo-1.2", &name);
	TEST_COMPARE_STRING(p, "libfoo-1.2");
	TEST_COMPARE_STRING(name, "libfoo-1.2.so");
	free(p);
	/* not where a loader looks, not a library, not a line */
	TEST_VERIFY(!line("usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Foo.so libs/x", &name));
	TEST_VERIFY(!line("usr/lib/aarch64-linux-gnu/libjq.so.1 libs/libjq1", &name));
	TEST_VERIFY(!line("usr/share/gdb/auto-load/libstdc++.so.6.0.30-gdb.py devel/x", &name));
	TEST_VERIFY(!line("usr/bin/jq utils/jq", &name));
	TEST_VERIFY(!line("usr/lib/x86_64-linux-gnu/libjq.so.1", &name));
	TEST_VERIFY(!line("", &name));
}

static void test_table(void)
{
	char dir[] = "/tmp/gm-test-contents.XXXXXX";
	TEST_VERIFY(mkdtemp(dir) != NULL);
	char *idx = xasprintf("%s/Contents-amd64", dir), *tab = xasprintf("%s/table.tsv", dir);
	FILE *f = fopen(idx, "w");
	fputs("usr/lib/x86_64-linux-gnu/libjq.so.1 libs/libjq1\n"
	      "lib/x86_64-linux-gnu/libz.so.1 libs/zlib1g\n"
	      "usr/lib/x86_64-linux-gnu/libz.so.1 libs/zlib1g,libs/zlib1g-ng\n"
	      "usr/bin/jq utils/jq\n"
	      "usr/lib/x86_64-linux-gnu/libonig.so.5 libs/libonig5", f); /* no last newline */
	fclose(f);
	struct debcontents c;
	TEST_COMPARE(debcontents_make(idx, "abc", T, tab, &c, NULL), 0);
	TEST_COMPARE(c.n, 3);
	TEST_COMPARE_STRING(debcontents_find(&c, "libz.so.1"), "zlib1g,zlib1g-ng");
	TEST_COMPARE_STRING(debcontents_find(&c, "libonig.so.5"), "libonig5");
	TEST_VERIFY(debcontents_find(&c, "jq") == NULL);
	debcontents_release(&c);
	/* read back: the same table, and the index it came from */
	TEST_COMPARE(debcontents_load(tab, &c, NULL), 0);
	TEST_COMPARE_STRING(c.contents_sha256, "abc");
	TEST_COMPARE_STRING(debcontents_find(&c, "libjq.so.1"), "libjq1");
	debcontents_release(&c);
	/* a table that is not one: an error naming the file, not a crash */
	f = fopen(tab, "w");
	fputs("# contents abc\nno tab here\n", f);
	fclose(f);
	struct gm_err *e = NULL;
	TEST_COMPARE(debcontents_load(tab, &c, &e), -1);
	TEST_VERIFY(e && strstr(e->msg, tab) && strstr(e->msg, ":2:"));
	gm_err_free(&e);
	TEST_COMPARE(debcontents_load("/nonexistent/table.tsv", &c, NULL), 1);
	unlink(idx);
	unlink(tab);
	rmdir(dir);
	free(idx);
	free(tab);
}

static void test_policy(void)
{
	static const char *const cases[][2] = {
		{"libjq.so.1", "libjq1"},           {"libsqlite3.so.0", "libsqlite3-0"},
		{"libbz2.so.1.0", "libbz2-1.0"},    {"libgcc_s.so.1", "libgcc-s1"},
		{"libLLVM-15.so", "libllvm-15"},    {"libpcre2-8.so.0", "libpcre2-8-0"},
		{"libstdc++.so.6", "libstdc++6"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = deblibs_policy_name(cases[i][0]);
		TEST_COMPARE_STRING(p, cases[i][1]);
		free(p);
	}
	TEST_VERIFY(deblibs_policy_name("jq") == NULL);
	TEST_VERIFY(deblibs_policy_name("ld-linux-x86-64.so.2") == NULL);
	TEST_VERIFY(deblibs_policy_name("libfoo.so-gdb.py") == NULL);
}

/* A Packages index of two stanzas: a library and a -dev package. */
static const char index_text[] =
	"Package: zlib1g\nArchitecture: amd64\nVersion: 1:1.3\nMulti-Arch: same\nSection: libs\n"
	"Filename: pool/main/z/zlib/zlib1g_1.3_amd64.deb\nSize: 1\n"
	"SHA256: 1c3405444297ead864711c18e64bce4810db63b48340a2f9d81182d9f235ad71\n\n"
	"Package: libjq1t64\nArchitecture: amd64\nVersion: 1.7\nMulti-Arch: same\nSection: libs\n"
	"Filename: pool/main/j/jq/libjq1t64_1.7_amd64.deb\nSize: 1\n"
	"SHA256: 1c3405444297ead864711c18e64bce4810db63b48340a2f9d81182d9f235ad71\n\n";

static void test_choose_guesses(void)
{
	char *names[] = {"libjq.so.1", "libz.so.1", "libnone.so.9", NULL};
	char *owners[] = {NULL, "zlib1g", NULL, NULL};
	char **with = xcalloc(1, sizeof(char *)), **unshipped = xcalloc(1, sizeof(char *));
	/* no table: the policy's name with t64, then this machine's owner */
	deblibs_choose(NULL, owners, index_text, "amd64", names, &with, &unshipped);
	TEST_COMPARE(strv_len(with), 2);
	TEST_COMPARE_STRING(with[0], "libjq1t64");
	TEST_COMPARE_STRING(with[1], "zlib1g");
	TEST_COMPARE(strv_len(unshipped), 1);
	TEST_COMPARE_STRING(unshipped[0], "libnone.so.9");
	strv_free(with);
	strv_free(unshipped);
}

int main(void)
{
	RUN_TEST(test_line);
	RUN_TEST(test_table);
	RUN_TEST(test_policy);
	RUN_TEST(test_choose_guesses);
	TAP_END();
}
