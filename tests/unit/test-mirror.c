/* The archive address comes from apt's configuration; the parsers must pick
 * the Debian entry, not comments, security, disabled or third-party ones. */
#include "acquire/mirror.h"
#include "tap.h"

#include <stdlib.h>

static void deb822_comment_urls_are_ignored(void)
{
	const char *t = "Types: deb\n"
			"# http://snapshot.example/archive/debian/20250520T000000Z\n"
			"URIs: http://archive.example/debian\n"
			"Suites: bookworm bookworm-updates\n"
			"Components: main\n"
			"\n"
			"Types: deb\n"
			"URIs: http://archive.example/debian-security\n"
			"Suites: bookworm-security\n"
			"Components: main\n";
	int rank = -1;
	char *u = mirror_parse_deb822(t, &rank);
	TEST_COMPARE_STRING(u, "http://archive.example/debian");
	TEST_COMPARE(rank, 2);
	free(u);
}

static void deb822_security_first_still_picks_main(void)
{
	const char *t = "Types: deb\nURIs: http://sec.example/debian-security/\n"
			"Suites: trixie-security\n\n"
			"Types: deb deb-src\nURIs: https://main.example/debian/\nSuites: trixie\n";
	char *u = mirror_parse_deb822(t, NULL);
	TEST_COMPARE_STRING(u, "https://main.example/debian");
	free(u);
}

static void deb822_disabled_and_multiline(void)
{
	const char *t = "Types: deb\nURIs: http://off.example/debian\nSuites: sid\nEnabled: no\n\n"
			"Types: deb\nURIs:\n http://on.example/debian\nSuites:\n bookworm\n";
	char *u = mirror_parse_deb822(t, NULL);
	TEST_COMPARE_STRING(u, "http://on.example/debian");
	free(u);
}

static void deb822_third_party_loses(void)
{
	const char *t = "Types: deb\nURIs: https://vendor.example/node_20.x\nSuites: nodistro\n\n"
			"Types: deb\nURIs: http://archive.example/debian\nSuites: bookworm\n";
	int rank;
	char *u = mirror_parse_deb822(t, &rank);
	TEST_COMPARE_STRING(u, "http://archive.example/debian");
	free(u);
	u = mirror_parse_deb822("Types: deb\nURIs: https://vendor.example/x\nSuites: nodistro\n",
				&rank);
	TEST_COMPARE(rank, 1);
	free(u);
}

static void oneline_with_options(void)
{
	const char *t = "# deb http://commented.example/debian sid main\n"
			"deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://a.example/debian "
			"bookworm main\n"
			"deb http://b.example/debian bookworm-updates main\n";
	char *u = mirror_parse_oneline(t, NULL);
	TEST_COMPARE_STRING(u, "http://a.example/debian");
	free(u);
}

static void nothing_usable(void)
{
	TEST_VERIFY(mirror_parse_deb822("Types: deb\nSuites: sid\n", NULL) == NULL);
	TEST_VERIFY(mirror_parse_oneline("deb cdrom:[Debian]/ bookworm main\n", NULL) == NULL);
	TEST_VERIFY(mirror_parse_deb822("", NULL) == NULL);
}

static void environment_overrides(void)
{
	char *u = NULL;
	struct gm_config cfg;
	char *env[] = {"GLIBC_MATRIX_MIRROR=http://override.example/debian///", NULL};
	config_from_env(&cfg, env, "/nonexistent");
	TEST_COMPARE(mirror_debian(&cfg, &u, NULL), 0);
	TEST_COMPARE_STRING(u, "http://override.example/debian");
	free(u);
	config_release(&cfg);
}

int main(void)
{
	RUN_TEST(deb822_comment_urls_are_ignored);
	RUN_TEST(deb822_security_first_still_picks_main);
	RUN_TEST(deb822_disabled_and_multiline);
	RUN_TEST(deb822_third_party_loses);
	RUN_TEST(oneline_with_options);
	RUN_TEST(nothing_usable);
	RUN_TEST(environment_overrides);
	TAP_END();
}
