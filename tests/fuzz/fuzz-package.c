/* libFuzzer target for unpacking a user's package (acquire/archive.c,
 * archive_extract_untrusted): every input is unpacked as a .deb (ar, the
 * control file, data.tar.*) and as a tarball (any compression libarchive
 * reads), held to small bounds, then its symlinks are rewritten to stay in
 * the tree (store/rootpath.c) and a control file's Depends parsed
 * (acquire/debindex.c), as `check PKG` does.  A package is hostile: it
 * must not crash us, hang, or write outside its directory.  The directory
 * is made inside a private one; after each input that private directory
 * must hold nothing but it (an entry that climbed out with ".." or through
 * a symlink would land there). */
#define _GNU_SOURCE
#include "acquire/archive.h"
#include "acquire/debindex.h"
#include "base/fs.h"
#include "store/rootpath.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds a fuzzer reaches: a bomb is refused within them, quickly. */
static const struct archive_bounds bounds = {.max_entries = 256, .max_bytes = 1 << 20};

/* The private directory holds only "in" (the input) and "dest". */
static void only_ours(const char *top)
{
	DIR *d = opendir(top);
	struct dirent *e;
	if (!d)
		abort();
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "in") &&
		    strcmp(e->d_name, "dest")) {
			fprintf(stderr, "an entry escaped the package's directory: %s/%s\n", top,
				e->d_name);
			abort();
		}
	closedir(d);
}

static void unpack(const char *top, const char *in, bool deb)
{
	char *dest = path_join(top, "dest");
	char *control = NULL;
	struct gm_err *err = NULL;
	if (mkdir_p(dest, 0755, NULL) < 0)
		abort();
	if (archive_extract_untrusted(in, deb, dest, &bounds, deb ? &control : NULL, &err) == 0) {
		if (rootpath_fix_symlinks(dest, &err) < 0)
			gm_err_free(&err);
	} else if (!err || !err->msg || !strstr(err->msg, in)) {
		/* Every refusal names the file. */
		fprintf(stderr, "error without the file's name: %s\n", err ? err->msg : "(none)");
		abort();
	}
	gm_err_free(&err);
	if (control) {
		char *dep = debindex_release_field(control, "Depends");
		char ***clauses = debindex_depends(dep ? dep : "");
		debindex_depends_free(clauses);
		free(dep);
		free(control);
	}
	only_ours(top);
	rm_rf(dest, NULL);
	free(dest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char top[] = "/tmp/fuzz-package-XXXXXX";
	if (!mkdtemp(top))
		abort();
	char *in = path_join(top, "in");
	FILE *f = fopen(in, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	unpack(top, in, true);
	unpack(top, in, false);
	rm_rf(top, NULL);
	free(in);
	return 0;
}
