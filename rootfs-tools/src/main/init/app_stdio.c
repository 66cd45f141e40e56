#include "app_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "errors.h"
#include "events.h"
#include "host_tty.h"
#include "stdin_framing.h"

#define STREAMS "the app's standard streams"

/* The relay process: unframes the tty into the pipe until the input ends or the app stops reading. */
static void relay_stdin(int tty, int pipe_in)
{
	struct stdin_unframer state = { 0 };
	unsigned char framed[4096], plain[sizeof framed];
	signal(SIGPIPE, SIG_IGN);
	while (!state.ended) {
		ssize_t count = read(tty, framed, sizeof framed);
		if (count < 0 && errno == EINTR)
			continue;
		if (count <= 0)
			break;
		size_t size = stdin_unframe(&state, framed, (size_t)count, plain);
		if (!write_all(pipe_in, plain, size))
			break;
	}
	_exit(0);
}

static bool start_stdin_relay(const char *device, struct app_stdio *stdio)
{
	int tty = open_host_tty(device, O_RDONLY, STREAMS);
	int pipe_fds[2];
	if (tty < 0)
		return false;
	make_raw(tty);
	if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
		print_error("cannot make the app's stdin pipe: %s", strerror(errno));
		return false;
	}
	pid_t relay = fork();
	if (relay < 0) {
		print_error("cannot fork the stdin relay: %s", strerror(errno));
		return false;
	}
	if (relay == 0) {
		close(pipe_fds[0]);
		relay_stdin(tty, pipe_fds[1]);
	}
	close(tty);
	close(pipe_fds[1]);
	stdio->in = pipe_fds[0];
	report_event(EVENT_STDIN_READY);
	return true;
}

static bool open_output(const char *device, int *fd)
{
	if (!device)
		return true;
	*fd = open_host_tty(device, O_WRONLY, STREAMS);
	if (*fd < 0)
		return false;
	make_raw(*fd);
	return true;
}

bool open_app_stdio(const struct launch_config *config, struct app_stdio *stdio)
{
	*stdio = (struct app_stdio){ -1, -1, -1 };
	if (config->terminal) {
		if (!config->stdout_device)
			return true;
		int tty = open_host_tty(config->stdout_device, O_RDWR, STREAMS);
		*stdio = (struct app_stdio){ tty, tty, tty };
		return tty >= 0;
	}
	return open_output(config->stdout_device, &stdio->out) &&
	       open_output(config->stderr_device, &stdio->err) &&
	       (!config->stdin_device || start_stdin_relay(config->stdin_device, stdio));
}

void take_app_stdio(const struct app_stdio *stdio)
{
	/* dup2 clears close-on-exec on the copy, so these three reach the app. */
	if (stdio->in >= 0)
		dup2(stdio->in, STDIN_FILENO);
	if (stdio->out >= 0)
		dup2(stdio->out, STDOUT_FILENO);
	if (stdio->err >= 0)
		dup2(stdio->err, STDERR_FILENO);
}

void drain_app_stdio(const struct app_stdio *stdio)
{
	if (stdio->out >= 0)
		tcdrain(stdio->out);
	if (stdio->err >= 0 && stdio->err != stdio->out)
		tcdrain(stdio->err);
}

bool start_control_relay(const struct launch_config *config, pid_t app)
{
	if (!config->control_device)
		return true;
	int tty = open_host_tty(config->control_device, O_RDONLY, "the host's signals");
	if (tty < 0)
		return false;
	make_raw(tty);
	pid_t relay = fork();
	if (relay < 0) {
		print_error("cannot fork the control relay: %s", strerror(errno));
		close(tty);
		return false;
	}
	if (relay == 0) {
		unsigned char signals[64];
		for (;;) {
			ssize_t count = read(tty, signals, sizeof signals);
			if (count < 0 && errno == EINTR)
				continue;
			if (count <= 0)
				_exit(0);
			for (ssize_t i = 0; i < count; i++)
				kill(app, signals[i]);
		}
	}
	close(tty);
	return true;
}
