/* The method table: a new method is its own file plus one line here. */
#include "methods/method.h"

#include <stddef.h>

extern const struct method method_host, method_loader, method_interp, method_rpath, method_env,
	method_container, method_inject, method_inject_libc_only, method_toolbox, method_ldcache;

static const struct method *const table[] = {
	&method_host,
	&method_loader,
	&method_interp,
	&method_rpath,
	&method_env,
	&method_container,
	&method_inject,
	&method_inject_libc_only,
	&method_toolbox,
	&method_ldcache,
	NULL,
};

const struct method *const *method_all(void)
{
	return table;
}
