/* base/strbuf and strv growth, and the method table's invariants. */
#include "base/strbuf.h"
#include "base/util.h"
#include "methods/method.h"
#include "tap.h"

#include <stdlib.h>

static void strbuf_appends(void)
{
	struct strbuf b = STRBUF_INIT;
	TEST_COMPARE_STRING(strbuf_str(&b), "");
	strbuf_addstr(&b, "ab");
	strbuf_addch(&b, ':');
	strbuf_addf(&b, "%d-%s", 42, "x");
	TEST_COMPARE_STRING(strbuf_str(&b), "ab:42-x");
	TEST_COMPARE(b.len, 7);
	/* A formatted piece longer than the spare room forces a second pass. */
	char big[1000];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addf(&b, "%s", big);
	TEST_COMPARE(b.len, 7 + 999);
	TEST_COMPARE(strlen(b.buf), b.len);
	char *s = strbuf_detach(&b);
	TEST_VERIFY(b.buf == NULL && b.len == 0);
	TEST_VERIFY(strncmp(s, "ab:42-xyyy", 10) == 0);
	free(s);
	char *empty = strbuf_detach(&b);
	TEST_COMPARE_STRING(empty, "");
	free(empty);
}

static void strbuf_join_and_growth(void)
{
	struct strbuf b = STRBUF_INIT;
	char *v[] = {"a", "b", "c", NULL};
	strbuf_join(&b, v, ":");
	TEST_COMPARE_STRING(strbuf_str(&b), "a:b:c");
	strbuf_reset(&b);
	TEST_COMPARE_STRING(strbuf_str(&b), "");
	/* 100000 appends: amortised growth keeps the allocations logarithmic. */
	size_t reallocs = 0, last = b.alloc;
	for (int i = 0; i < 100000; i++) {
		strbuf_addch(&b, 'z');
		if (b.alloc != last) {
			reallocs++;
			last = b.alloc;
		}
	}
	TEST_COMPARE(b.len, 100000);
	TEST_VERIFY(reallocs < 20);
	strbuf_release(&b);
}

/* Shell words read back as themselves (strv_split_words). */
static void shell_words_read_back(void)
{
	char *v[] = {"plain-/x.y:z@1%=+,", "", "a b", "it's", "'", "$HOME", "a\\b", "\"q\"",
		     "tab\there", "new\nline", "*?[~#&;|<>(){}!", NULL};
	struct strbuf b = STRBUF_INIT;
	strbuf_add_shell_word(&b, v[0]);
	TEST_COMPARE_STRING(strbuf_str(&b), v[0]);
	strbuf_reset(&b);
	strbuf_add_shell_word(&b, "it's");
	TEST_COMPARE_STRING(strbuf_str(&b), "'it'\\''s'");
	strbuf_reset(&b);
	strbuf_add_shell_words(&b, v);
	const char *why = NULL;
	char **back = strv_split_words(strbuf_str(&b), &why);
	TEST_VERIFY(back != NULL);
	TEST_COMPARE(strv_len(back), strv_len(v));
	for (size_t i = 0; back && v[i]; i++)
		TEST_COMPARE_STRING(back[i], v[i]);
	strv_free(back);
	strbuf_release(&b);
}

static void strv_push_many(void)
{
	char **v = xcalloc(1, sizeof(char *));
	for (int i = 0; i < 5000; i++)
		strv_push_take(&v, xasprintf("%d", i));
	TEST_COMPARE(strv_len(v), 5000);
	TEST_COMPARE_STRING(v[4999], "4999");
	TEST_VERIFY(v[5000] == NULL);
	strv_free(v);
	char **w = NULL;
	strv_push(&w, "only");
	TEST_COMPARE(strv_len(w), 1);
	strv_free(w);
}

/* One case of strv_split_words: want is the words joined by '|', or NULL
 * for a refusal. */
static void words(const char *in, const char *want)
{
	const char *why = NULL;
	char **v = strv_split_words(in, &why);
	if (!want) {
		TEST_VERIFY(v == NULL && why != NULL);
		return;
	}
	TEST_VERIFY(v != NULL);
	if (!v)
		return;
	struct strbuf b = STRBUF_INIT;
	strbuf_join(&b, v, "|");
	TEST_COMPARE_STRING(b.buf ? b.buf : "", want);
	strbuf_release(&b);
	strv_free(v);
}

static void shell_words(void)
{
	words("", "");
	words("  a  b\tc ", "a|b|c");
	words("-e 'require(process.argv[1])'", "-e|require(process.argv[1])");
	words("\"a b\" 'c d' e\\ f", "a b|c d|e f");
	words("\"x \\\" y\" ''", "x \" y|");
	words("'\\n'", "\\n");
	words("it's", NULL);
	words("\"open", NULL);
	words("end\\", NULL);
}

static void method_table(void)
{
	size_t n = 0;
	for (const struct method *const *r = method_all(); *r; r++, n++) {
		TEST_VERIFY((*r)->name && *(*r)->name);
		TEST_VERIFY((*r)->summary && *(*r)->summary);
		TEST_VERIFY((*r)->prepare && (*r)->predict);
		TEST_VERIFY(method_find((*r)->name) == *r);
	}
	TEST_VERIFY(n >= 5);
	TEST_VERIFY(method_find("teleport") == NULL);
	char *names = method_names(0);
	TEST_COMPARE_STRING(names, "host, loader, interp, rpath, env, container, inject, "
				   "inject-libc-only, toolbox, ldcache");
	free(names);
	char *in_tree = method_names(METHOD_CONTAINER);
	TEST_COMPARE_STRING(in_tree, "container, inject, inject-libc-only, toolbox, ldcache");
	free(in_tree);
	char *exec = method_names(METHOD_EXEC);
	TEST_COMPARE_STRING(exec, "loader, interp");
	free(exec);
	TEST_VERIFY(method_applies(method_find("loader"), "x86_64", "x86_64"));
	TEST_VERIFY(!method_applies(method_find("loader"), "x86_64", "aarch64"));
}

int main(void)
{
	RUN_TEST(strbuf_appends);
	RUN_TEST(strbuf_join_and_growth);
	RUN_TEST(shell_words_read_back);
	RUN_TEST(strv_push_many);
	RUN_TEST(shell_words);
	RUN_TEST(method_table);
	TAP_END();
}
