#define _GNU_SOURCE
#include "cli/closure-out.h"

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

void closure_print(FILE *f, const char *file, const struct closure *c)
{
	if (c->floor)
		fprintf(f, "%s: closure of %zu object%s, glibc floor GLIBC_%s set by %s\n", file,
			c->n, c->n == 1 ? "" : "s", c->floor, c->floor_by);
	else
		fprintf(f, "%s: closure of %zu object%s, no glibc node required\n", file, c->n,
			c->n == 1 ? "" : "s");
	for (size_t i = 0; i < c->n; i++) {
		const struct closure_obj *o = &c->objs[i];
		char floor[32];
		snprintf(floor, sizeof(floor), "%s%s", o->floor ? "GLIBC_" : "-",
			 o->floor ? o->floor : "");
		if (o->needed_by)
			fprintf(f, "  %-12s %s (%s, needed by %s)\n", floor, o->path, o->needed_as,
				o->needed_by);
		else
			fprintf(f, "  %-12s %s\n", floor, o->path);
	}
	if (c->outside[0]) {
		fprintf(f, "  from the target system:");
		for (size_t i = 0; c->outside[i]; i++)
			fprintf(f, " %s", c->outside[i]);
		fprintf(f, "\n");
	}
}

json_object *closure_json(const char *file, const struct closure *c)
{
	json_object *o = json_object_new_object();
	json_object *objs = json_object_new_array();
	json_object *out = json_object_new_array();
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "glibc_floor", jstr(c->floor));
	json_object_object_add(o, "set_by", jstr(c->floor_by));
	for (size_t i = 0; i < c->n; i++) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "path", json_object_new_string(c->objs[i].path));
		json_object_object_add(j, "needed_as", jstr(c->objs[i].needed_as));
		json_object_object_add(j, "needed_by", jstr(c->objs[i].needed_by));
		json_object_object_add(j, "glibc_floor", jstr(c->objs[i].floor));
		json_object_array_add(objs, j);
	}
	json_object_object_add(o, "objects", objs);
	for (size_t i = 0; c->outside[i]; i++)
		json_object_array_add(out, json_object_new_string(c->outside[i]));
	json_object_object_add(o, "from_system", out);
	return o;
}
