/* A damaged .deb is reported with its path and a cause, whatever the point
 * where it is cut: libarchive has no message for some short reads, and
 * "cannot read member data.tar.xz: (null)" was what users got. */
#define _GNU_SOURCE
#include "acquire/archive.h"
#include "base/fs.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/gm-test-archive.XXXXXX";

/* Without write_file_atomic's fsync: hundreds of cuts are written. */
static void put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "we");
	TEST_VERIFY(f && fwrite(data, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* One ustar member (POSIX header, 512-byte blocks). */
static void tar_add(struct strbuf *sb, const char *name, const char *data, size_t len)
{
	char h[512] = {0};
	snprintf(h, 100, "%s", name);
	snprintf(h + 100, 8, "%07o", 0644);
	snprintf(h + 108, 8, "%07o", 0);
	snprintf(h + 116, 8, "%07o", 0);
	snprintf(h + 124, 12, "%011zo", len);
	snprintf(h + 136, 12, "%011o", 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	strbuf_add(sb, h, sizeof(h));
	strbuf_add(sb, data, len);
	char pad[512] = {0};
	if (len % 512)
		strbuf_add(sb, pad, 512 - len % 512);
}

/* One ar member (the common format dpkg writes). */
static void ar_add(struct strbuf *sb, const char *name, const char *data, size_t len)
{
	strbuf_addf(sb, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name, "0", "0", "0", "100644", len);
	strbuf_add(sb, data, len);
	if (len % 2)
		strbuf_add(sb, "\n", 1);
}

static char *make_deb(size_t *ret_len)
{
	struct strbuf data = STRBUF_INIT, control = STRBUF_INIT, deb = STRBUF_INIT;
	char body[3000];
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = 'a' + i % 26;
	tar_add(&data, "./usr/lib/hello.txt", body, sizeof(body));
	char zero[1024] = {0};
	strbuf_add(&data, zero, sizeof(zero));
	tar_add(&control, "./control", "Package: hello\n", 15);
	strbuf_add(&control, zero, sizeof(zero));
	strbuf_add(&deb, "!<arch>\n", 8);
	ar_add(&deb, "debian-binary", "2.0\n", 4);
	ar_add(&deb, "control.tar", strbuf_str(&control), control.len);
	ar_add(&deb, "data.tar", strbuf_str(&data), data.len);
	*ret_len = deb.len;
	strbuf_release(&data);
	strbuf_release(&control);
	return strbuf_detach(&deb);
}

static void whole_deb_extracts(void)
{
	size_t len;
	char *deb = make_deb(&len);
	char *path = path_join(dir, "hello.deb"), *out = path_join(dir, "out");
	struct gm_err *e = NULL;
	put(path, deb, len);
	TEST_COMPARE(mkdir_p(out, 0755, NULL), 0);
	TEST_COMPARE(archive_extract_deb(path, out, &e), 0);
	char *hello = path_join(out, "usr/lib/hello.txt");
	char *text = NULL;
	size_t n = 0;
	TEST_COMPARE(read_file(hello, &text, &n, NULL), 0);
	TEST_COMPARE(n, 3000);
	free(text);
	free(hello);
	rm_rf(out, NULL);
	free(deb);
	free(path);
	free(out);
}

/* Every cut, 24 bytes at a time: each failure names the file and a cause. */
static void every_truncation_names_file_and_cause(void)
{
	size_t len;
	char *deb = make_deb(&len);
	char *path = path_join(dir, "cut.deb"), *out = path_join(dir, "cut");
	int failures = 0, bad = 0;
	for (size_t cut = 0; cut < len; cut += 24) {
		struct gm_err *e = NULL;
		put(path, deb, cut);
		mkdir_p(out, 0755, NULL);
		if (archive_extract_deb(path, out, &e) < 0) {
			failures++;
			size_t m = strlen(e->msg);
			if (!strstr(e->msg, path) || strstr(e->msg, "(null)") || m < 2 ||
			    strcmp(e->msg + m - 2, ": ") == 0) {
				printf("# cut at %zu: %s\n", cut, e->msg);
				bad++;
			}
			gm_err_free(&e);
		}
		rm_rf(out, NULL);
	}
	/* Everything before the file's last byte is missing data. */
	TEST_VERIFY(failures > (int)(len - 1024 - 60) / 24);
	TEST_COMPARE(bad, 0);
	free(deb);
	free(path);
	free(out);
}

/* Every later point works in it: no scratch directory is a failing point,
 * not an early exit that a runner would count as no tests at all. */
static void scratch_dir(void)
{
	TEST_VERIFY(mkdtemp(dir) != NULL);
}

int main(void)
{
	RUN_SETUP(scratch_dir);
	RUN_TEST(whole_deb_extracts);
	RUN_TEST(every_truncation_names_file_and_cause);
	rm_rf(dir, NULL);
	TAP_END();
}
