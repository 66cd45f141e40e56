/*
 * Runs a command and reports, in milliseconds since just before exec, when the first byte appeared on
 * its stdout and when it exited. C rather than a shell or Python, so the harness adds microseconds,
 * not milliseconds, to what it measures. Output: "first_byte_ms=F exit_ms=E status=S", then the guest
 * init's milestones: the command's fd 3 is a pipe, and a byte N written there (QEMU passes the init's
 * event port 0x502 to it with isa-debugcon and -chardev file,path=/dev/fd/3) is timed as event N:
 * " init_started_ms=.. app_exec_ms=.. app_exited_ms=..", -1 for one not seen.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: first-byte COMMAND [ARGS...]\n");
		return 2;
	}
	int out[2], events[2];
	if (pipe(out) != 0 || pipe(events) != 0) {
		perror("pipe");
		return 2;
	}
	double start = now_ms();
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		close(out[0]);
		close(events[0]);
		dup2(out[1], 1);
		dup2(events[1], 3);
		if (out[1] != 3)
			close(out[1]);
		if (events[1] != 3)
			close(events[1]);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	close(out[1]);
	close(events[1]);
	unsigned char buffer[4096];
	double first_byte = -1, event_ms[256];
	for (int i = 0; i < 256; i++)
		event_ms[i] = -1;
	struct pollfd fds[2] = { { .fd = out[0], .events = POLLIN }, { .fd = events[0], .events = POLLIN } };
	for (int open_fds = 2; open_fds > 0; ) {
		if (poll(fds, 2, -1) < 0)
			continue;
		for (int f = 0; f < 2; f++) {
			if (!fds[f].revents)
				continue;
			ssize_t n = read(fds[f].fd, buffer, sizeof buffer);
			double now = now_ms() - start;
			if (n <= 0) {
				fds[f].fd = -1;
				open_fds--;
			} else if (f == 0 && first_byte < 0) {
				first_byte = now;
			} else if (f == 1) {
				for (ssize_t i = 0; i < n; i++)
					if (event_ms[buffer[i]] < 0)
						event_ms[buffer[i]] = now;
			}
		}
	}
	int status;
	if (waitpid(child, &status, 0) != child) {
		perror("waitpid");
		return 2;
	}
	double exited = now_ms() - start;
	/* The event codes of the init's events.h. */
	printf("first_byte_ms=%.1f exit_ms=%.1f status=%d init_started_ms=%.1f app_exec_ms=%.1f app_exited_ms=%.1f\n",
	       first_byte, exited, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       event_ms[1], event_ms[3], event_ms[4]);
	return 0;
}
