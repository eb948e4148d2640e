#define _GNU_SOURCE
#include "hook/state.h"
#include "base/cleanup.h"
#include "base/fs.h"
#include "base/util.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAX (1 << 20)

#define findings(err, ...) gm_err_set((err), GM_EXIT_FINDINGS, 0, __VA_ARGS__)

/* One JSON document and nothing after it but blanks. */
static json_object *parse(const char *text, size_t len, const char *what, struct gm_err **err)
{
	json_tokener *tok = json_tokener_new();
	json_object *j = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!j || e != json_tokener_success) {
		json_object_put(j);
		return findings(err, "%s is not valid JSON (%s)", what,
				e == json_tokener_continue ? "it ends too early" : json_tokener_error_desc(e)),
		       NULL;
	}
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end < len) {
		json_object_put(j);
		return findings(err, "%s is not valid JSON (text after the document)", what), NULL;
	}
	if (!json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return findings(err, "%s is not a JSON object", what), NULL;
	}
	return j;
}

/* A non-empty string member, or NULL. */
static const char *str_member(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	return *s ? s : NULL;
}

static int read_config(struct hook_state *st, struct gm_err **err)
{
	cleanup_free char *path = path_join(st->bundle, "config.json");
	cleanup_free char *text = NULL;
	size_t len;
	struct stat sb;

	if (stat(st->bundle, &sb) < 0)
		return gm_err_set(err, GM_EXIT_FINDINGS, errno, "the bundle '%s'", st->bundle);
	if (!S_ISDIR(sb.st_mode))
		return findings(err, "the bundle '%s' is not a directory", st->bundle);
	if (read_file(path, &text, &len, err) < 0) {
		(*err)->code = GM_EXIT_FINDINGS;
		return gm_err_wrap(err, "the bundle's configuration");
	}
	cleanup_free char *what = xasprintf("'%s'", path);
	json_object *c = parse(text, len, what, err);
	if (!c)
		return -1;
	json_object *root;
	const char *rp = NULL;
	if (json_object_object_get_ex(c, "root", &root) && json_object_is_type(root, json_type_object))
		rp = str_member(root, "path");
	if (!rp) {
		json_object_put(c);
		return findings(err, "'%s' has no root.path: no root filesystem to inject into", path);
	}
	/* The runtime spec: a relative root.path is relative to the bundle. */
	st->rootfs = rp[0] == '/' ? xstrdup(rp) : path_join(st->bundle, rp);
	json_object_put(c);
	return 0;
}

int hook_state_parse(const char *text, size_t len, struct hook_state *st, struct gm_err **err)
{
	static const char what[] = "the container state on standard input";
	*st = (struct hook_state){0};
	while (len && strchr(" \t\r\n", text[len - 1]))
		len--;
	if (!len)
		return findings(err, "%s is empty (an OCI runtime passes the container's state "
				"as JSON: run glibc-inject as a hook)", what);
	json_object *j = parse(text, len, what, err);
	if (!j)
		return -1;

	json_object *v;
	int64_t pid = 0;
	if (json_object_object_get_ex(j, "pid", &v) && json_object_is_type(v, json_type_int))
		pid = json_object_get_int64(v);
	const char *bundle = str_member(j, "bundle");
	const char *id = str_member(j, "id");
	int rc = 0;
	if (pid <= 0 || pid > INT_MAX)
		rc = findings(err, "%s has no pid (a positive integer): the container's process is "
			      "needed to enter its mount namespace", what);
	else if (!bundle)
		rc = findings(err, "%s has no bundle", what);
	else if (bundle[0] != '/')
		rc = findings(err, "%s: the bundle '%s' is not an absolute path", what, bundle);
	if (rc == 0) {
		st->pid = (pid_t)pid;
		st->bundle = xstrdup(bundle);
		st->id = xstrdup(id ? id : "");
	}
	json_object_put(j);
	if (rc == 0)
		rc = read_config(st, err);
	if (rc < 0)
		hook_state_release(st);
	return rc;
}

int hook_state_read(int fd, struct hook_state *st, struct gm_err **err)
{
	if (isatty(fd))
		return findings(err, "standard input is a terminal: glibc-inject reads the container "
				"state that an OCI runtime writes to a hook's standard input");
	size_t cap = 4096, len = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap >= STATE_MAX)
				return findings(err, "the container state on standard input is larger "
						"than %d bytes", STATE_MAX);
			buf = xrealloc(buf, cap *= 2);
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gm_infra(err, errno, "cannot read the container state on standard input");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return hook_state_parse(buf, len, st, err);
}

void hook_state_release(struct hook_state *st)
{
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	*st = (struct hook_state){0};
}
