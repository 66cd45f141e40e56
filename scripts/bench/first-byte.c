/*
 * Runs a command and reports, in milliseconds since just before exec, when the first byte appeared on
 * its stdout and when it exited. C rather than a shell or Python, so the harness adds microseconds,
 * not milliseconds, to what it measures. Output: "first_byte_ms=F exit_ms=E status=S".
 */
#define _GNU_SOURCE
#include <fcntl.h>
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
	int out[2];
	if (pipe(out) != 0) {
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
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	close(out[1]);
	char buffer[4096];
	double first_byte = -1;
	ssize_t n;
	while ((n = read(out[0], buffer, sizeof buffer)) > 0) {
		if (first_byte < 0)
			first_byte = now_ms() - start;
	}
	int status;
	if (waitpid(child, &status, 0) != child) {
		perror("waitpid");
		return 2;
	}
	double exited = now_ms() - start;
	printf("first_byte_ms=%.1f exit_ms=%.1f status=%d\n", first_byte, exited,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
