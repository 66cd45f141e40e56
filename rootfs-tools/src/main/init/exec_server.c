#include "exec_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "errors.h"
#include "events.h"
#include "exec_protocol.h"
#include "host_tty.h"

/* Read from a command's stdout or stderr at a time: one frame each. */
#define OUTPUT_CHUNK 4096

/* The running command; pid 0: no session. */
struct session {
	pid_t pid;
	bool reaped;
	int wait_status;		/* once reaped */
	int stdin_fd;			/* the server's ends of the pipes; -1 once closed */
	int stdout_fd;
	int stderr_fd;
	bool stdin_ended;		/* STDIN_END came: close stdin once the buffer is written */
	size_t output_unacknowledged;	/* STDOUT and STDERR bytes sent, not yet acknowledged */
	size_t stdin_length;		/* bytes in stdin_buffer, not yet written to the command */
	unsigned char stdin_buffer[EXEC_STDIN_WINDOW];
};

/* The server process's state: static, since that process is only ever this one loop. */
static struct {
	int tty;
	int children;			/* a signalfd for SIGCHLD */
	const struct launch_config *config;
	const sigset_t *command_mask;
	struct exec_decoder decoder;
	struct session session;
} server;

static void send_frame(enum exec_frame_type type, const void *payload, uint32_t length)
{
	unsigned char header[EXEC_HEADER_BYTES];
	exec_write_header(header, type, length);
	if (!write_all(server.tty, header, sizeof header) || !write_all(server.tty, payload, length)) {
		print_error("exec server: cannot write to %s: %s", server.config->exec_device, strerror(errno));
		_exit(STATUS_INIT_FAILED);
	}
}

static void acknowledge_stdin(size_t count)
{
	unsigned char payload[4];
	exec_write_u32(payload, (uint32_t)count);
	send_frame(EXEC_STDIN_ACK, payload, sizeof payload);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_session(void)
{
	struct session *session = &server.session;
	close_fd(&session->stdin_fd);
	close_fd(&session->stdout_fd);
	close_fd(&session->stderr_fd);
	session->pid = 0;
	session->reaped = false;
	session->stdin_ended = false;
	session->stdin_length = 0;
	session->output_unacknowledged = 0;
}

/* SIGKILL to the command and its process group, then waits for it: nothing of the session is left to report. */
static void kill_session(void)
{
	struct session *session = &server.session;
	if (session->pid == 0)
		return;
	kill(-session->pid, SIGKILL);
	if (!session->reaped) {
		kill(session->pid, SIGKILL);	/* before its setsid there is no group yet */
		while (waitpid(session->pid, NULL, 0) < 0 && errno == EINTR)
			continue;
	}
	close_session();
}

/* A session that cannot go on: EXIT 125 after the message on its stderr. */
static void fail_session(const char *problem)
{
	char message[EXEC_ERROR_BYTES + 64];
	int length = snprintf(message, sizeof message, "minivmm-init: exec: %s\n", problem);
	kill_session();
	send_frame(EXEC_STDERR, message, (uint32_t)length);
	unsigned char status = STATUS_INIT_FAILED;
	send_frame(EXEC_EXIT, &status, 1);
}

/*
 * A frame the server cannot take: the session, if there is one or the frame
 * asked for one, fails, and the host's frames are dropped up to its next RESET.
 */
static void refuse(const char *problem, bool answer)
{
	print_error("exec server: %s; dropping what the host sends up to its next RESET", problem);
	if (answer)
		fail_session(problem);
	exec_decoder_hunt(&server.decoder);
}

static void start_session(char **args)
{
	struct session *session = &server.session;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	pid_t pid = -1;
	if (pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0)
		pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, server.command_mask, NULL);
		signal(SIGPIPE, SIG_DFL);	/* an ignored signal would stay ignored through the exec */
		take_app_stdio(&(struct app_stdio){ in[0], out[1], err[1] });
		setsid();	/* its own process group, which SIGNAL and RESET reach */
		exec_as_app(server.config, args, "the command");
	}
	int failure = errno;
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	session->stdin_fd = in[1];
	session->stdout_fd = out[0];
	session->stderr_fd = err[0];
	if (pid < 0) {
		char problem[EXEC_ERROR_BYTES];
		snprintf(problem, sizeof problem, "cannot start the command: %s", strerror(failure));
		close_session();
		fail_session(problem);
		return;
	}
	session->pid = pid;
	fcntl(session->stdin_fd, F_SETFL, O_NONBLOCK);	/* a command that does not read must not stop the server */
}

static void take_request(const struct exec_frame *frame)
{
	if (server.session.pid != 0) {
		refuse("a REQUEST came while a command was running", true);
		return;
	}
	char **args = exec_request_args(frame->payload, frame->length);
	if (!args) {
		refuse("a REQUEST's arguments must each end with a NUL, and the first must not be empty", true);
		return;
	}
	start_session(args);
	free(args);
}

static void take_stdin(const struct exec_frame *frame)
{
	struct session *session = &server.session;
	if (session->pid == 0 || session->stdin_ended)
		return;
	if (session->stdin_fd < 0) {
		acknowledge_stdin(frame->length);	/* the command closed its stdin: the bytes go nowhere */
		return;
	}
	if (frame->length > sizeof session->stdin_buffer - session->stdin_length) {
		refuse("the host sent more stdin than the window allows", true);
		return;
	}
	memcpy(session->stdin_buffer + session->stdin_length, frame->payload, frame->length);
	session->stdin_length += frame->length;
}

static void end_stdin(void)
{
	struct session *session = &server.session;
	if (session->pid == 0)
		return;
	session->stdin_ended = true;
	if (session->stdin_length == 0)
		close_fd(&session->stdin_fd);
}

static void take_output_ack(const struct exec_frame *frame)
{
	struct session *session = &server.session;
	uint32_t count = exec_read_u32(frame->payload);
	if (session->pid == 0)
		return;
	if (count > session->output_unacknowledged) {
		refuse("the host acknowledged more output than was sent", true);
		return;
	}
	session->output_unacknowledged -= count;
}

static void signal_session(int signal)
{
	struct session *session = &server.session;
	if (session->pid != 0 && kill(-session->pid, signal) != 0 && errno == ESRCH && !session->reaped)
		kill(session->pid, signal);	/* before its setsid */
}

static void take_frame(const struct exec_frame *frame)
{
	switch (frame->type) {
	case EXEC_RESET:
		kill_session();
		send_frame(EXEC_RESET_DONE, frame->payload, frame->length);
		return;
	case EXEC_REQUEST:
		take_request(frame);
		return;
	case EXEC_STDIN:
		take_stdin(frame);
		return;
	case EXEC_STDIN_END:
		end_stdin();
		return;
	case EXEC_SIGNAL:
		signal_session(frame->payload[0]);
		return;
	case EXEC_OUTPUT_ACK:
		take_output_ack(frame);
		return;
	default:
		return;	/* exec_decode passes only the host's types */
	}
}

static void read_tty(void)
{
	unsigned char bytes[4096];
	ssize_t count = read(server.tty, bytes, sizeof bytes);
	if (count < 0 && errno == EINTR)
		return;
	if (count <= 0) {
		print_error("exec server: cannot read %s: %s", server.config->exec_device,
			    count == 0 ? "it was hung up" : strerror(errno));
		_exit(STATUS_INIT_FAILED);
	}
	for (size_t offset = 0; offset < (size_t)count; ) {
		struct exec_frame frame;
		char error[EXEC_ERROR_BYTES];
		size_t used;
		enum exec_decoded result = exec_decode(&server.decoder, bytes + offset, (size_t)count - offset,
						       &used, &frame, error);
		offset += used;
		if (result == EXEC_GOT_FRAME)
			take_frame(&frame);
		else if (result == EXEC_BAD_FRAME)
			refuse(error, server.session.pid != 0);
	}
}

static void write_stdin(void)
{
	struct session *session = &server.session;
	ssize_t count = write(session->stdin_fd, session->stdin_buffer, session->stdin_length);
	if (count > 0) {
		session->stdin_length -= (size_t)count;
		memmove(session->stdin_buffer, session->stdin_buffer + count, session->stdin_length);
		acknowledge_stdin((size_t)count);
	} else if (count < 0 && errno != EAGAIN && errno != EINTR) {
		acknowledge_stdin(session->stdin_length);	/* EPIPE: the command closed its stdin */
		session->stdin_length = 0;
		close_fd(&session->stdin_fd);
	}
	if (session->stdin_ended && session->stdin_length == 0)
		close_fd(&session->stdin_fd);
}

/* One frame of what the command wrote, as much as the output window still allows. */
static void relay_output(int *fd, enum exec_frame_type type)
{
	struct session *session = &server.session;
	unsigned char chunk[OUTPUT_CHUNK];
	size_t room = EXEC_OUTPUT_WINDOW - session->output_unacknowledged;
	ssize_t count = read(*fd, chunk, room < sizeof chunk ? room : sizeof chunk);
	if (count > 0) {
		session->output_unacknowledged += (size_t)count;
		send_frame(type, chunk, (uint32_t)count);
	} else if (count == 0 || errno != EINTR) {
		close_fd(fd);
	}
}

static void reap_command(void)
{
	struct signalfd_siginfo info;
	while (read(server.children, &info, sizeof info) > 0)
		continue;
	int status;
	pid_t child;
	while ((child = waitpid(-1, &status, WNOHANG)) > 0) {
		if (child == server.session.pid) {
			server.session.reaped = true;
			server.session.wait_status = status;
		}
	}
}

/* The session is over once the command has exited and its stdout and stderr are closed. */
static void finish_session_if_done(void)
{
	struct session *session = &server.session;
	if (session->pid == 0 || !session->reaped || session->stdout_fd >= 0 || session->stderr_fd >= 0)
		return;
	unsigned char status = (unsigned char)status_of(session->wait_status);
	close_session();
	send_frame(EXEC_EXIT, &status, 1);
}

static noreturn void serve(void)
{
	struct session *session = &server.session;
	session->stdin_fd = session->stdout_fd = session->stderr_fd = -1;
	for (;;) {
		/* Output is read only while the window has room: the host has said it passed the rest on. */
		bool output_room = session->output_unacknowledged < EXEC_OUTPUT_WINDOW;
		struct pollfd fds[] = {
			{ .fd = server.children, .events = POLLIN },
			{ .fd = output_room ? session->stdout_fd : -1, .events = POLLIN },
			{ .fd = output_room ? session->stderr_fd : -1, .events = POLLIN },
			{ .fd = session->stdin_length ? session->stdin_fd : -1, .events = POLLOUT },
			{ .fd = server.tty, .events = POLLIN },
		};
		if (poll(fds, sizeof fds / sizeof fds[0], -1) < 0)
			continue;	/* EINTR */
		/* The tty last: a frame from it may end the session whose descriptors are polled here. */
		if (fds[0].revents)
			reap_command();
		if (fds[1].revents)
			relay_output(&session->stdout_fd, EXEC_STDOUT);
		if (fds[2].revents)
			relay_output(&session->stderr_fd, EXEC_STDERR);
		if (fds[3].revents)
			write_stdin();
		if (fds[4].revents)
			read_tty();
		finish_session_if_done();
	}
}

pid_t start_exec_server(const struct launch_config *config, const sigset_t *command_mask)
{
	if (!config->exec_device)
		return 0;
	int tty = open_host_tty(config->exec_device, O_RDWR, "exec sessions");
	pid_t pid = -1;
	if (tty >= 0) {
		make_raw(tty);
		pid = fork();
		if (pid < 0)
			print_error("cannot fork the exec server: %s", strerror(errno));
	}
	if (pid == 0) {
		sigset_t children;
		sigemptyset(&children);
		sigaddset(&children, SIGCHLD);
		sigprocmask(SIG_BLOCK, &children, NULL);
		server.children = signalfd(-1, &children, SFD_NONBLOCK | SFD_CLOEXEC);
		if (server.children < 0) {
			print_error("exec server: cannot watch its commands: %s", strerror(errno));
			_exit(STATUS_INIT_FAILED);
		}
		signal(SIGPIPE, SIG_IGN);	/* a command that closed its stdin is seen as EPIPE */
		server.tty = tty;
		server.config = config;
		server.command_mask = command_mask;
		serve();
	}
	if (tty >= 0)
		close(tty);
	report_event(pid > 0 ? EVENT_EXEC_READY : EVENT_EXEC_ENDED);
	return pid;
}
