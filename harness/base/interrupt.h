/* The process-wide "we were asked to stop" flag.
 *
 * SIGINT, SIGTERM and SIGHUP only record the signal: every long operation
 * (the spawner's supervision loop, downloads, extraction, the job pool)
 * polls interrupted() and unwinds through its normal error path, so
 * partial work is removed and main exits 130.  Handlers are installed
 * without SA_RESTART so blocking calls return EINTR and notice at once. */
#ifndef GM_INTERRUPT_H
#define GM_INTERRUPT_H

void interrupt_install(void);
/* The signal number received since interrupt_install(), or 0. */
int interrupted(void);

#endif
