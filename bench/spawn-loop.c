/* The floor of a cell: what any harness must do at minimum to run one
 * command and see its output.  Reads commands (each argument ended by a
 * NUL, each command ended by an empty argument: bench/loader-loop.py
 * --nul) and, one at a time, posix_spawns each with stdin from /dev/null
 * and stdout and stderr to pipes it drains, then waits for it.
 *   spawn-loop FILE   (built by bench/matrix.sh and bench/check.sh: cc -O2) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void run(char **argv)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		perror("pipe2");
		exit(1);
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	pid_t pid;
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	if (e) {
		fprintf(stderr, "spawn-loop: %s: %s\n", argv[0], strerror(e));
		close(out[0]);
		close(err[0]);
		return;
	}
	struct pollfd p[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	int open_fds = 2;
	char buf[65536];
	while (open_fds) {
		if (poll(p, 2, -1) < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (read(p[i].fd, buf, sizeof(buf)) <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			}
		}
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: spawn-loop FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		perror(argv[1]);
		return 1;
	}
	char *text = malloc(sb.st_size + 1);
	size_t len = 0;
	ssize_t got;
	while (text && len < (size_t)sb.st_size && (got = read(fd, text + len, sb.st_size - len)) > 0)
		len += got;
	close(fd);
	if (!text)
		return 1;
	text[len] = '\0';
	char *cmd[256];
	size_t n = 0;
	for (char *p = text; p < text + len; p += strlen(p) + 1) {
		if (!*p) {
			cmd[n] = NULL;
			if (n)
				run(cmd);
			n = 0;
		} else if (n < 255) {
			cmd[n++] = p;
		}
	}
	return 0;
}
