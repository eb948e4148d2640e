/* SHA-256 through libcrypto (OpenSSL's EVP interface), as hex. */
#include "base/hash.h"
#include "base/fs.h"
#include "base/cleanup.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

void sha256_buf(const void *buf, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	hex_digest(md, n, out);
}

int sha256_file(const char *path, char out[65], struct gm_err **err)
{
	cleanup_close int fd = fs_open_input(path, err);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (fd < 0)
		return -1;
	/* Per call: the probe pool hashes in several threads at once. */
	cleanup_free char *buf = xmalloc(1 << 16);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 16);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			EVP_MD_CTX_free(ctx);
			return gm_infra(err, errno, "cannot read '%s'", path);
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, r);
	}
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	hex_digest(md, n, out);
	return 0;
}
