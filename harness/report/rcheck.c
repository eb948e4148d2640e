#include "report/rcheck.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* Allowed JSON types of a value, a bit each; REQ: it must be there. */
enum {
	T_NULL = 1 << 0, T_BOOL = 1 << 1, T_INT = 1 << 2, T_DOUBLE = 1 << 3,
	T_STR = 1 << 4, T_OBJ = 1 << 5, T_ARR = 1 << 6, REQ = 1 << 7,
	T_NUM = T_INT | T_DOUBLE, T_TEXT = T_STR | T_NULL,
};

/* One member of an object: its types; for an array the types of its
 * items; for an object (or an array of objects) the members it has. */
struct rfield {
	const char *key;
	unsigned types, items;
	const struct rfield *fields;
};

static const struct rfield why_f[] = {
	{"id", T_TEXT, 0, NULL},
	{"symbols", T_ARR, T_STR, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield problem_f[] = {
	{"kind", T_TEXT, 0, NULL},
	{"object", T_TEXT, 0, NULL},
	{"library", T_TEXT, 0, NULL},
	{"node", T_TEXT, 0, NULL},
	{"symbols", T_ARR | REQ, T_STR, NULL},
	{"why", T_ARR, T_OBJ, why_f},
	{NULL, 0, 0, NULL},
};
static const struct rfield predicted_f[] = {
	{"outcome", T_TEXT, 0, NULL},
	{"detail", T_TEXT, 0, NULL},
	{"problems", T_ARR | T_NULL, T_OBJ, problem_f},
	{NULL, 0, 0, NULL},
};
static const struct rfield observed_f[] = {
	{"outcome", T_TEXT, 0, NULL},
	{"detail", T_TEXT, 0, NULL},
	{"loader_message", T_TEXT, 0, NULL},
	{"exit", T_INT | T_NULL, 0, NULL},
	{"signal", T_INT | T_NULL, 0, NULL},
	{"duration_s", T_NUM | T_NULL, 0, NULL},
	{"glibc", T_TEXT, 0, NULL},
	{"libc", T_TEXT, 0, NULL},
	{"stdout", T_TEXT, 0, NULL},
	{"stderr", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield expected_f[] = {
	{"outcome", T_TEXT, 0, NULL},
	{"exit", T_INT | T_NULL, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield library_f[] = {
	{"path", T_TEXT, 0, NULL},
	{"from", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield cell_f[] = {
	{"id", T_INT, 0, NULL},
	{"subject", T_TEXT, 0, NULL},
	{"binary", T_TEXT, 0, NULL},
	{"build", T_TEXT, 0, NULL},
	{"run", T_TEXT, 0, NULL},
	{"method", T_TEXT, 0, NULL},
	{"rootfs", T_TEXT, 0, NULL},
	{"arch", T_TEXT, 0, NULL},
	{"predicted", T_OBJ, 0, predicted_f},
	{"observed", T_OBJ, 0, observed_f},
	{"expected", T_OBJ, 0, expected_f},
	{"host_libraries", T_ARR, T_STR, NULL},
	{"libraries", T_ARR, T_OBJ, library_f},
	{"mismatch", T_BOOL, 0, NULL},
	{"unexpected", T_BOOL, 0, NULL},
	{NULL, 0, 0, NULL},
};
/* sysroots, rootfs and subjects: merge matches them by these. */
static const struct rfield named_f[] = {
	{"name", T_TEXT, 0, NULL},
	{"build", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield tool_f[] = {
	{"name", T_STR | REQ, 0, NULL},
	{"version", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield host_f[] = {
	{"arch", T_TEXT, 0, NULL},
	{"kernel", T_TEXT, 0, NULL},
	{"glibc", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
/* The summary is not here: it is counted again from the cells. */
static const struct rfield doc_f[] = {
	{"schema", T_INT | REQ, 0, NULL},
	{"tool", T_OBJ | REQ, 0, tool_f},
	{"command_line", T_ARR | REQ, T_STR, NULL},
	{"host", T_OBJ, 0, host_f},
	{"started", T_TEXT, 0, NULL},
	{"finished", T_TEXT, 0, NULL},
	{"complete", T_BOOL, 0, NULL},
	{"wall_s", T_NUM, 0, NULL},
	{"sysroots", T_ARR, T_OBJ, named_f},
	{"rootfs", T_ARR, T_OBJ, named_f},
	{"subjects", T_ARR, T_OBJ, named_f},
	{"cells", T_ARR | REQ, T_OBJ, cell_f},
	{NULL, 0, 0, NULL},
};

static unsigned type_bit(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return T_NULL;
	case json_type_boolean: return T_BOOL;
	case json_type_int: return T_INT;
	case json_type_double: return T_DOUBLE;
	case json_type_string: return T_STR;
	case json_type_object: return T_OBJ;
	case json_type_array: return T_ARR;
	}
	return 0;
}

static const char *type_name(unsigned bit)
{
	return bit == T_NULL ? "null" : bit == T_BOOL ? "a boolean" : bit == T_INT ? "an integer"
	       : bit == T_DOUBLE ? "a number" : bit == T_STR ? "a string"
	       : bit == T_OBJ ? "an object" : "an array";
}

/* "a string or null": what types allows, in words. */
static void want_words(struct strbuf *b, unsigned types)
{
	static const unsigned order[] = {T_OBJ, T_ARR, T_STR, T_INT, T_DOUBLE, T_BOOL, T_NULL};
	bool first = true;
	if ((types & T_NUM) == T_NUM)
		types &= ~T_INT;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (types & order[i]) {
			strbuf_addf(b, "%s%s", first ? "" : " or ", type_name(order[i]));
			first = false;
		}
}

static int bad_type(struct strbuf *at, json_object *v, unsigned types, const char *path,
		    struct gm_err **err)
{
	struct strbuf want = STRBUF_INIT;
	want_words(&want, types & ~REQ);
	if (v)
		gm_usage(err, "'%s': %s: want %s, not %s", path, strbuf_str(at), strbuf_str(&want),
			 type_name(type_bit(v)));
	else
		gm_usage(err, "'%s': %s: missing (want %s)", path, strbuf_str(at), strbuf_str(&want));
	strbuf_release(&want);
	return -1;
}

static int check_members(json_object *o, const struct rfield *fields, struct strbuf *at,
			 const char *path, struct gm_err **err);

/* v, found at "at", against types (items and fields: see struct rfield). */
static int check_value(json_object *v, unsigned types, unsigned items,
		       const struct rfield *fields, struct strbuf *at, const char *path,
		       struct gm_err **err)
{
	if (!(type_bit(v) & types))
		return bad_type(at, v, types, path, err);
	if (json_object_is_type(v, json_type_object) && fields)
		return check_members(v, fields, at, path, err);
	if (!json_object_is_type(v, json_type_array))
		return 0;
	size_t len = at->len;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		strbuf_addf(at, "[%zu]", i);
		if (check_value(json_object_array_get_idx(v, i), items, 0, fields, at, path,
				err) < 0)
			return -1;
		strbuf_setlen(at, len);
	}
	return 0;
}

static int check_members(json_object *o, const struct rfield *fields, struct strbuf *at,
			 const char *path, struct gm_err **err)
{
	size_t len = at->len;
	for (const struct rfield *f = fields; f->key; f++) {
		json_object *v = NULL;
		bool have = json_object_object_get_ex(o, f->key, &v);
		strbuf_addf(at, "%s%s", len ? "." : "", f->key);
		if (!have && (f->types & REQ))
			return bad_type(at, NULL, f->types, path, err);
		if (have && check_value(v, f->types, f->items, f->fields, at, path, err) < 0)
			return -1;
		strbuf_setlen(at, len);
	}
	return 0;
}

int rdoc_check_types(json_object *doc, const char *path, struct gm_err **err)
{
	struct strbuf at = STRBUF_INIT;
	int r = check_members(doc, doc_f, &at, path, err);
	strbuf_release(&at);
	return r;
}
