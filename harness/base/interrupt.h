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
/* An fd that turns readable, and stays so, once a signal arrived: threads
 * blocked in poll() (the spawner's supervisors in pool workers) wake up,
 * which a flag alone cannot do, since the kernel delivers the signal to one
 * thread only.  -1 before interrupt_install(). */
int interrupt_fd(void);

#endif
