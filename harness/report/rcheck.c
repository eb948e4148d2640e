#include "report/rcheck.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

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
	{"options", T_ARR, T_STR, NULL},
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
/* A package of check PKG: what the summary reads of it. */
static const struct rfield floor_f[] = {
	{"version", T_TEXT, 0, NULL},
	{"file", T_TEXT, 0, NULL},
	{"library", T_TEXT, 0, NULL},
	{"symbol", T_TEXT, 0, NULL},
	{"symbols", T_INT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield deb_f[] = {
	{"package", T_TEXT, 0, NULL},
	{"version", T_TEXT, 0, NULL},
	{"architecture", T_TEXT, 0, NULL},
	{"depends_field", T_TEXT, 0, NULL},
	{NULL, 0, 0, NULL},
};
static const struct rfield package_f[] = {
	{"name", T_TEXT, 0, NULL},
	{"kind", T_TEXT, 0, NULL},
	{"root", T_TEXT, 0, NULL},
	{"files", T_ARR, T_STR, NULL},
	{"passed_over", T_ARR, T_STR, NULL},
	{"library_dirs", T_ARR, T_STR, NULL},
	{"glibc_floor", T_OBJ, 0, floor_f},
	{"deb", T_OBJ | T_NULL, 0, deb_f},
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
	{"packages", T_ARR, T_OBJ, package_f},
	{"cells", T_ARR | REQ, T_OBJ, cell_f},
	{NULL, 0, 0, NULL},
};

/* check_members keeps a table's members in arrays of 32. */
#define FITS(t) _Static_assert(sizeof(t) / sizeof(t[0]) <= 33, #t " has over 32 fields")
FITS(why_f); FITS(problem_f); FITS(predicted_f); FITS(observed_f); FITS(expected_f);
FITS(library_f); FITS(cell_f); FITS(floor_f); FITS(deb_f); FITS(package_f); FITS(named_f); FITS(tool_f); FITS(host_f); FITS(doc_f);

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

/* Where a value is: a chain on the stack, written out ("cells[3].predicted")
 * only for an error message, so that a valid document of 100,000 cells
 * builds no path at all. */
struct at {
	const struct at *up;
	const char *key;            /* NULL: the index-th item of an array */
	size_t index;
};

static void at_write(struct strbuf *b, const struct at *a)
{
	if (!a)
		return;
	at_write(b, a->up);
	if (a->key)
		strbuf_addf(b, "%s%s", b->len ? "." : "", a->key);
	else
		strbuf_addf(b, "[%zu]", a->index);
}

static int bad_type(const struct at *at, json_object *v, unsigned types, const char *path,
		    struct gm_err **err)
{
	struct strbuf want = STRBUF_INIT, where = STRBUF_INIT;
	want_words(&want, types & ~REQ);
	at_write(&where, at);
	if (v)
		gm_usage(err, "'%s': %s: want %s, not %s", path, strbuf_str(&where), strbuf_str(&want),
			 type_name(type_bit(v)));
	else
		gm_usage(err, "'%s': %s: missing (want %s)", path, strbuf_str(&where),
			 strbuf_str(&want));
	strbuf_release(&want);
	strbuf_release(&where);
	return -1;
}

static int check_members(json_object *o, const struct rfield *fields, const struct at *at,
			 const char *path, struct gm_err **err);

/* v, found at "at", against types (items and fields: see struct rfield). */
static int check_value(json_object *v, unsigned types, unsigned items,
		       const struct rfield *fields, const struct at *at, const char *path,
		       struct gm_err **err)
{
	if (!(type_bit(v) & types))
		return bad_type(at, v, types, path, err);
	if (json_object_is_type(v, json_type_object) && fields)
		return check_members(v, fields, at, path, err);
	if (!json_object_is_type(v, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct at item = {.up = at, .index = i};
		if (check_value(json_object_array_get_idx(v, i), items, 0, fields, &item, path,
				err) < 0)
			return -1;
	}
	return 0;
}

/* The field of the table named key, looked for first where the writer puts
 * it (after the one found last: documents keep the table's order). */
static const struct rfield *field_of(const struct rfield *fields, size_t n, const char *key,
				     size_t *next)
{
	if (*next < n && strcmp(fields[*next].key, key) == 0)
		return &fields[(*next)++];
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i].key, key) == 0) {
			*next = i + 1;
			return &fields[i];
		}
	return NULL;
}

/* The members of o found by walking them as they are (no lookup by name;
 * a member the table does not know is let be), then judged in the
 * table's order, so the first fault named is the same whatever the
 * document's order.  Tables have at most 32 fields. */
static int check_members(json_object *o, const struct rfield *fields, const struct at *at,
			 const char *path, struct gm_err **err)
{
	json_object *vals[32];
	bool have[32] = {0};
	size_t n = 0, next = 0;
	while (fields[n].key)
		n++;
	json_object_object_foreach(o, key, v) {
		const struct rfield *f = field_of(fields, n, key, &next);
		if (f) {
			vals[f - fields] = v;
			have[f - fields] = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct rfield *f = &fields[i];
		struct at member = {.up = at, .key = f->key};
		if (!have[i] && (f->types & REQ))
			return bad_type(&member, NULL, f->types, path, err);
		if (have[i] && check_value(vals[i], f->types, f->items, f->fields, &member, path,
					   err) < 0)
			return -1;
	}
	return 0;
}

int rdoc_check_types(json_object *doc, const char *path, struct gm_err **err)
{
	return check_members(doc, doc_f, NULL, path, err);
}
