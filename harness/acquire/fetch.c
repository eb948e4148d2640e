#define _GNU_SOURCE
#include "acquire/fetch.h"
#include "base/interrupt.h"
#include "base/cleanup.h"
#include "base/lazylib.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/util.h"

/* The type-checking macros would hide the functions we call through pointers. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A part file this old is stale even if its pid is alive: pids are reused,
 * and no download of ours runs for a day. */
#define PART_MAX_AGE_S (24 * 3600)

/* Resolved on first use (lazylib.h). */
#define CU_FUNCS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_global_init)
static struct {
#define FIELD(f) __typeof__(&f) f;
	CU_FUNCS(FIELD)
#undef FIELD
} cu;
static const char *const cu_names[] = {
#define NAME(f) #f,
	CU_FUNCS(NAME)
#undef NAME
};

static int cu_load(struct gm_err **err)
{
	return lazylib_load(GM_LIBCURL_SONAME, cu_names, (void **)&cu,
			    sizeof(cu_names) / sizeof(cu_names[0]), err);
}

static int fetch_init(struct gm_err **err)
{
	static bool done;
	if (cu_load(err) < 0)
		return -1;
	if (!done) {
		cu.curl_global_init(CURL_GLOBAL_DEFAULT);
		done = true;
	}
	return 0;
}

/* Aborts a transfer when the user interrupts the harness. */
static int progress_cb(void *p, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)p; (void)a; (void)b; (void)c; (void)d;
	return interrupted() ? 1 : 0;
}

static CURL *make_handle(const char *url, char *errbuf)
{
	CURL *c = cu.curl_easy_init();
	if (!c)
		abort();
	cu.curl_easy_setopt(c, CURLOPT_URL, url);
	cu.curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	cu.curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	cu.curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	cu.curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* Abort a stalled transfer: under 1 KiB/s for 60 s. */
	cu.curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	cu.curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	cu.curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	cu.curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	cu.curl_easy_setopt(c, CURLOPT_USERAGENT, "glibc-matrix");
	return c;
}

static int curl_error(struct gm_err **err, CURL *c, CURLcode rc, const char *url,
		      const char *errbuf)
{
	long status = 0;
	cu.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return gm_err_set(err, GM_EXIT_INTERRUPTED, 0, "download of '%s' interrupted", url);
	if (status >= 400) {
		gm_infra(err, 0, "cannot download '%s': HTTP %ld", url, status);
		if (err && *err && (status == 404 || status == 410))
			(*err)->sys_errno = ENOENT;
		return -1;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE) {
		gm_infra(err, 0, "cannot download '%s': no such file", url);
		if (err && *err)
			(*err)->sys_errno = ENOENT;
		return -1;
	}
	return gm_infra(err, 0, "cannot download '%s': %s", url,
			*errbuf ? errbuf : cu.curl_easy_strerror(rc));
}

struct file_sink {
	FILE *f;
	EVP_MD_CTX *md;
	unsigned long long got, max;
	bool failed, too_big;
	int saved_errno;
};

static size_t file_write(char *data, size_t sz, size_t n, void *p)
{
	struct file_sink *s = p;
	size_t len = sz * n;
	/* Returning short makes curl abort the transfer at once. */
	if (len > s->max - s->got) {
		s->too_big = true;
		return 0;
	}
	s->got += len;
	if (fwrite(data, 1, len, s->f) != len) {
		s->failed = true;
		s->saved_errno = errno;
		return 0;
	}
	EVP_DigestUpdate(s->md, data, len);
	return len;
}

/* "name.part.<pid>" -> pid, or 0 if name is not a part file. */
static long part_pid(const char *name)
{
	const char *p = strstr(name, ".part.");
	while (p) {
		char *end;
		const char *digits = p + 6;
		long pid = strtol(digits, &end, 10);
		if (end != digits && !*end && *digits != '-' && *digits != '+' && pid > 0)
			return pid;
		p = strstr(p + 1, ".part.");
	}
	return 0;
}

int fetch_sweep_parts(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		long pid = part_pid(e->d_name);
		struct stat st;
		if (!pid || pid == (long)getpid() ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* EPERM means the process exists (another user's): keep it. */
		bool dead = kill((pid_t)pid, 0) < 0 && errno == ESRCH;
		bool old = time(NULL) - st.st_mtime > PART_MAX_AGE_S;
		if ((dead || old) && unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

int fetch_file(const char *url, const char *dest, const char *want_sha256,
	       char ret_sha256[65], struct gm_err **err)
{
	return fetch_file_sized(url, dest, want_sha256, 0, ret_sha256, err);
}

int fetch_file_sized(const char *url, const char *dest, const char *want_sha256,
		     unsigned long long size, char ret_sha256[65], struct gm_err **err)
{
	char have[65], errbuf[CURL_ERROR_SIZE] = "";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (want_sha256 && path_is_file(dest) && sha256_file(dest, have, NULL) == 0 &&
	    strcmp(have, want_sha256) == 0) {
		if (ret_sha256)
			memcpy(ret_sha256, have, 65);
		return 0;
	}
	if (fetch_init(err) < 0)
		return -1;
	{
		cleanup_free char *dir = xstrdup(dest);
		char *slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			fetch_sweep_parts(*dir ? dir : "/");
		} else {
			fetch_sweep_parts(".");
		}
	}
	cleanup_free char *part = xasprintf("%s.part.%d", dest, (int)getpid());
	struct file_sink sink = {.max = size ? size : FETCH_DEFAULT_MAX};
	sink.f = fopen(part, "we");
	if (!sink.f)
		return gm_infra(err, errno, "cannot create '%s'", part);
	sink.md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(sink.md, EVP_sha256(), NULL);

	CURL *c = make_handle(url, errbuf);
	cu.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, file_write);
	cu.curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	CURLcode rc = cu.curl_easy_perform(c);
	int r = 0;
	if (sink.too_big)
		r = gm_infra(err, 0, "'%s' sends more than the %llu bytes expected; download aborted, "
				     "nothing kept",
			     url, sink.max);
	else if (sink.failed)
		r = gm_infra(err, sink.saved_errno, "cannot write '%s'", part);
	else if (rc != CURLE_OK)
		r = curl_error(err, c, rc, url, errbuf);
	else if (size && sink.got != size)
		r = gm_infra(err, 0, "'%s' is %llu bytes, expected %llu; nothing was kept", url,
			     sink.got, size);
	cu.curl_easy_cleanup(c);
	EVP_DigestFinal_ex(sink.md, md, &mdlen);
	EVP_MD_CTX_free(sink.md);
	if (fclose(sink.f) != 0 && r == 0)
		r = gm_infra(err, errno, "cannot write '%s'", part);
	if (r == 0) {
		hex_digest(md, mdlen, have);
		if (want_sha256 && strcmp(have, want_sha256) != 0)
			r = gm_infra(err, 0,
				     "sha256 mismatch for '%s': expected %s, got %s; nothing was kept",
				     url, want_sha256, have);
	}
	if (r == 0 && rename(part, dest) < 0)
		r = gm_infra(err, errno, "cannot rename '%s' to '%s'", part, dest);
	if (r < 0) {
		unlink(part);
		return r;
	}
	if (ret_sha256)
		memcpy(ret_sha256, have, 65);
	return 0;
}

struct mem_sink {
	char *buf;
	size_t len, max;
	bool too_big;
};

static size_t mem_write(char *data, size_t sz, size_t n, void *p)
{
	struct mem_sink *s = p;
	size_t len = sz * n;
	if (s->len + len > s->max) {
		s->too_big = true;
		return 0;
	}
	s->buf = xrealloc(s->buf, s->len + len + 1);
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return len;
}

int fetch_mem(const char *url, size_t max, char **ret, size_t *ret_len, struct gm_err **err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct mem_sink sink = {.max = max};

	if (fetch_init(err) < 0)
		return -1;
	CURL *c = make_handle(url, errbuf);
	cu.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
	cu.curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	CURLcode rc = cu.curl_easy_perform(c);
	int r = 0;
	if (sink.too_big)
		r = gm_infra(err, 0, "'%s' is larger than %zu bytes", url, max);
	else if (rc != CURLE_OK)
		r = curl_error(err, c, rc, url, errbuf);
	cu.curl_easy_cleanup(c);
	if (r < 0) {
		free(sink.buf);
		return r;
	}
	*ret = sink.buf ? sink.buf : xstrdup("");
	if (ret_len)
		*ret_len = sink.len;
	return 0;
}
