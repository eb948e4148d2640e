#include "base/interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;
static int wake_fd = -1;

static void on_signal(int sig)
{
	int saved = errno;
	uint64_t one = 1;
	got_signal = sig;
	if (wake_fd >= 0 && write(wake_fd, &one, sizeof(one)) < 0) {
		/* Full counter: it is readable already. */
	}
	errno = saved;
}

void interrupt_install(void)
{
	struct sigaction sa;
	if (wake_fd < 0)
		wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int interrupted(void)
{
	return got_signal;
}

int interrupt_fd(void)
{
	return wake_fd;
}
