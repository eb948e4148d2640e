/* Scope-exit cleanup (crun, systemd, bubblewrap).  steal_pointer() and
 * steal_fd() hand ownership out of a cleanup-annotated variable. */
#ifndef GM_CLEANUP_H
#define GM_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void gm_freep(void *p) { free(*(void **)p); }
static inline void gm_closep(int *fd) { if (*fd >= 0) close(*fd); }
static inline void gm_fclosep(FILE **f) { if (*f) fclose(*f); }
void gm_strv_freep(char ***v);

#define cleanup_free __attribute__((cleanup(gm_freep)))
#define cleanup_close __attribute__((cleanup(gm_closep)))
#define cleanup_fclose __attribute__((cleanup(gm_fclosep)))
#define cleanup_strv __attribute__((cleanup(gm_strv_freep)))

static inline void *steal_ptr_(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
#define steal_pointer(pp) steal_ptr_(pp)

/* The same for a cleanup_close descriptor. */
static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

#endif
