/* The route table: a new route is its own file plus one line here. */
#include "routes/route.h"

#include <stddef.h>

extern const struct route route_host, route_loader, route_interp, route_rpath, route_env,
	route_container, route_inject, route_inject_libc_only, route_toolbox, route_ldcache;

static const struct route *const table[] = {
	&route_host,
	&route_loader,
	&route_interp,
	&route_rpath,
	&route_env,
	&route_container,
	&route_inject,
	&route_inject_libc_only,
	&route_toolbox,
	&route_ldcache,
	NULL,
};

const struct route *const *route_all(void)
{
	return table;
}
