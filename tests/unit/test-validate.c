/* Untrusted manifests: sysroot.json and cases.ini name directories in the
 * store and programs to run, so each field is checked against where it sits.
 * Every refusal below is a way out of the store that used to be accepted. */
#define _GNU_SOURCE
#include "probes/cases.h"
#include "store/sysroot.h"
#include "base/fs.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define D "/s/sysroots/glibc-2.36"

/* A valid manifest with one field's value replaced (field NULL: none). */
static char *manifest(const char *field, const char *value)
{
	static const char *const keys[] = {"name", "glibc_version", "arch", "origin", "prefix",
					   "loader"};
	static const char *const vals[] = {"glibc-2.36", "2.36", "x86_64", "source", D,
					   D "/lib/ld-linux-x86-64.so.2"};
	char *libdir = xstrdup(D "/lib");
	char *inc = xstrdup(D "/include");
	char *out = xstrdup("{");
	for (size_t i = 0; i < 6; i++) {
		const char *v = field && strcmp(field, keys[i]) == 0 ? value : vals[i];
		char *n = xasprintf("%s\"%s\": \"%s\", ", out, keys[i], v);
		free(out);
		out = n;
	}
	if (field && strcmp(field, "libdirs") == 0) {
		free(libdir);
		libdir = xstrdup(value);
	}
	if (field && strcmp(field, "includedirs") == 0) {
		free(inc);
		inc = xstrdup(value);
	}
	char *n = xasprintf("%s\"libdirs\": [\"%s\"], \"includedirs\": [\"%s\"]}", out, libdir, inc);
	free(out);
	free(libdir);
	free(inc);
	return n;
}

/* Parses the manifest with field=value against D; returns the error text
 * ("" if accepted). */
static char *verdict(const char *field, const char *value)
{
	char *text = manifest(field, value);
	struct sysroot s;
	struct gm_err *err = NULL;
	char *r;
	if (sysroot_parse(text, D "/sysroot.json", D, &s, &err) == 0) {
		sysroot_release(&s);
		r = xstrdup("");
	} else {
		r = xstrdup(err ? err->msg : "(no message)");
	}
	gm_err_free(&err);
	free(text);
	return r;
}

#define REFUSED(field, value, words)                                            \
	do {                                                                    \
		char *m_ = verdict(field, value);                               \
		TEST_VERIFY(strstr(m_, words) != NULL);                         \
		TEST_VERIFY(strstr(m_, D "/sysroot.json") != NULL);             \
		if (!strstr(m_, words))                                         \
			printf("# %s=%s: got '%s'\n", field, value, m_);         \
		free(m_);                                                       \
	} while (0)

static void valid_manifest(void)
{
	char *m = verdict(NULL, NULL);
	TEST_COMPARE_STRING(m, "");
	free(m);
	/* A library directory may be the sysroot itself (a flat layout). */
	m = verdict("libdirs", D);
	TEST_COMPARE_STRING(m, "");
	free(m);
}

static void bad_names(void)
{
	REFUSED("name", "../../../tmp/x", "not a valid sysroot name");
	REFUSED("name", "a/b", "not a valid sysroot name");
	REFUSED("name", "-rf", "not a valid sysroot name");
	REFUSED("name", ".hidden", "not a valid sysroot name");
	REFUSED("name", "", "not a valid sysroot name");
	REFUSED("name", "glibc-2.37", "differs from its directory's name 'glibc-2.36'");
}

static void bad_paths(void)
{
	REFUSED("loader", "/bin/sh", "loader '/bin/sh' is not inside");
	REFUSED("loader", D "/../../../bin/sh", "is not inside");
	REFUSED("loader", D "/lib/./ld.so", "is not inside");
	REFUSED("loader", D "x/lib/ld.so", "is not inside");   /* a sibling directory */
	REFUSED("loader", D, "is not inside");                 /* the directory itself */
	REFUSED("loader", "lib/ld.so", "is not inside");       /* relative */
	REFUSED("libdirs", "/usr/lib", "library directory '/usr/lib' is not inside");
	REFUSED("libdirs", D "//lib", "is not inside");
	REFUSED("includedirs", "/usr/include", "header directory");
	REFUSED("prefix", "/usr", "prefix '/usr' is not inside");
}

static void bad_values(void)
{
	REFUSED("glibc_version", "latest", "glibc_version 'latest' is not a version");
	REFUSED("arch", "vax", "arch 'vax' is not a known architecture");
	struct sysroot s;
	struct gm_err *err = NULL;
	TEST_COMPARE(sysroot_parse("[1, 2]", "m.json", D, &s, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "'m.json': not a JSON object (another JSON value)"));
	gm_err_free(&err);
}

/* Spelled inside, resolving outside: the loader is a symbolic link to
 * /bin/sh.  Only sysroot_read, which may look at the files, can see it. */
static void symlink_escape(void)
{
	char top[] = "/tmp/gm-validate-XXXXXX";
	if (!mkdtemp(top)) {
		TEST_VERIFY(0);
		return;
	}
	char *dir = path_join(top, "glibc-2.36");
	char *lib = path_join(dir, "lib");
	char *ld = path_join(lib, "ld-linux-x86-64.so.2");
	char *path = path_join(dir, SYSROOT_MANIFEST);
	char *text = xasprintf("{\"name\": \"glibc-2.36\", \"glibc_version\": \"2.36\", "
			       "\"arch\": \"x86_64\", \"origin\": \"source\", \"prefix\": \"%s\", "
			       "\"loader\": \"%s\", \"libdirs\": [\"%s\"]}",
			       dir, ld, lib);
	struct sysroot s;
	struct gm_err *err = NULL;
	TEST_COMPARE(mkdir_p(lib, 0755, NULL), 0);
	TEST_COMPARE(write_file_atomic(path, text, strlen(text), 0644, NULL), 0);
	TEST_COMPARE(symlink("ld-2.36.so", ld), 0);  /* dangling, inside: fine */
	TEST_COMPARE(sysroot_read(dir, &s, &err), 0);
	if (err == NULL)
		sysroot_release(&s);
	gm_err_free(&err);
	TEST_COMPARE(unlink(ld), 0);
	TEST_COMPARE(symlink("/bin/sh", ld), 0);
	TEST_COMPARE(sysroot_read(dir, &s, &err), -1);
	TEST_VERIFY(err && strstr(err->msg, "outside the sysroot"));
	gm_err_free(&err);
	rm_rf(top, NULL);
	free(dir);
	free(lib);
	free(ld);
	free(path);
	free(text);
}

static void case_names(void)
{
	static const char *const bad[] = {"../../../../tmp/x", "a/b", "-x", ".x", ".."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *text = xasprintf("[%s]\nsources = a.c\n", bad[i]);
		struct gm_cases c;
		struct gm_err *err = NULL;
		TEST_COMPARE(cases_parse(text, "cases.ini", &c, &err), -1);
		TEST_VERIFY(err && strstr(err->msg, "'cases.ini':1: case name") &&
			    strstr(err->msg, "is not valid"));
		gm_err_free(&err);
		free(text);
	}
	struct gm_cases c;
	TEST_COMPARE(cases_parse("[fine_name-1.2+x]\nsources = a.c\n", "cases.ini", &c, NULL), 0);
	TEST_COMPARE(c.n, 1);
	cases_release(&c);
}

int main(void)
{
	RUN_TEST(valid_manifest);
	RUN_TEST(bad_names);
	RUN_TEST(bad_paths);
	RUN_TEST(bad_values);
	RUN_TEST(symlink_escape);
	RUN_TEST(case_names);
	TAP_END();
}
