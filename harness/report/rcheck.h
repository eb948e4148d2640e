/* The types of a results document's fields, checked once when it is read
 * (rdoc_load), so that no reader (the report formats, merge, baselines,
 * policies) meets a string where it walks an array: json-c aborts on that. */
#ifndef GM_RCHECK_H
#define GM_RCHECK_H

#include <json.h>

#include "base/err.h"

/* 0 when every field a reader reads has its type (reports/schema.json;
 * absent is fine unless a reader needs it), else -1 with a GM_EXIT_USAGE
 * error naming path and the field ("cells[3].predicted.problems"). */
int rdoc_check_types(json_object *doc, const char *path, struct gm_err **err);

#endif
