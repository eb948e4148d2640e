/* How inspect --closure and explain --closure show a closure (elf/closure.h). */
#ifndef GM_CLOSURE_OUT_H
#define GM_CLOSURE_OUT_H

#include <json.h>
#include <stdio.h>

#include "elf/closure.h"

/* "FILE: closure of N objects, glibc floor GLIBC_x.y set by OBJ", then one
 * line per object and the names left to the target system. */
void closure_print(FILE *f, const char *file, const struct closure *c);
/* {"file", "glibc_floor", "set_by", "objects": [{path, needed_as,
 * needed_by, glibc_floor}], "from_system": [...]}. */
json_object *closure_json(const char *file, const struct closure *c);

#endif
