/*
 * The host's side of the exec protocol (exec_protocol.h), for namespace-test:
 *   exec-host COMMAND
 * runs `sh -c COMMAND` with a pseudo-terminal's slave as its descriptor 5
 * and a pipe as its stdin; COMMAND starts the init with the launch config's
 * EXEC_DEVICE /proc/self/fd/5 and an app that reads stdin to its end. Then
 * it runs exec sessions over the master, printing a line each:
 *   exec NAME: status=N stdout=TEXT stderr=TEXT
 * (newlines shown as '|', other unprintable bytes as '.'), ends the app by closing the pipe, and exits with
 * COMMAND's status.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdnoreturn.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "exec_protocol.h"
#include "host_tty.h"

#define EXEC_FD 5
#define OUTPUT_BYTES (2 * 1024 * 1024)
#define WAIT_SECONDS 20

static int master;
static pthread_mutex_t writing = PTHREAD_MUTEX_INITIALIZER;	/* frames go whole, from every thread */

/*
 * What the current session got back, filled by the reader thread. The guest
 * blocks while its output is not read, so reading never waits for writing:
 * a thread of its own acknowledges the output.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	size_t unacknowledged;		/* stdin sent and not yet acknowledged */
	size_t output_to_acknowledge;
	bool holding_acknowledgements;	/* as a host whose client does not read would */
	bool exited;
	int status;
	unsigned char nonce[EXEC_NONCE_BYTES];	/* of the last RESET_DONE */
	size_t out_length, err_length;
	char out[OUTPUT_BYTES];
	char err[4096];
} session = { .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static noreturn void fail(const char *what)
{
	fprintf(stderr, "exec-host: %s\n", what);
	exit(2);
}

/* With `writing` held. */
static bool write_frame(unsigned type, const void *payload, uint32_t length)
{
	unsigned char header[EXEC_HEADER_BYTES];
	exec_write_header(header, type, length);
	return write_all(master, header, sizeof header) && write_all(master, payload, length);
}

static void send_frame(unsigned type, const void *payload, uint32_t length)
{
	pthread_mutex_lock(&writing);
	if (!write_frame(type, payload, length))
		fail("cannot write to the pseudo-terminal");
	pthread_mutex_unlock(&writing);
}

static void read_exactly(void *bytes, size_t size)
{
	for (size_t done = 0; done < size; ) {
		ssize_t count = read(master, (char *)bytes + done, size - done);
		if (count < 0 && errno == EINTR)
			continue;
		if (count <= 0)
			pthread_exit(NULL);	/* the init has ended */
		done += (size_t)count;
	}
}

static void append(char *buffer, size_t *length, size_t capacity, const unsigned char *bytes, size_t size)
{
	size_t room = capacity - *length;
	memcpy(buffer + *length, bytes, size < room ? size : room);
	*length += size < room ? size : room;
}

static void *read_frames(void *unused)
{
	static unsigned char payload[EXEC_MAX_PAYLOAD];
	(void)unused;
	for (;;) {
		unsigned char header[EXEC_HEADER_BYTES];
		read_exactly(header, sizeof header);
		uint32_t length = exec_read_u32(header + 1);
		if (length > EXEC_MAX_PAYLOAD)
			fail("the guest sent an oversize frame");
		read_exactly(payload, length);
		pthread_mutex_lock(&session.lock);
		switch (header[0]) {
		case EXEC_STDOUT:
			append(session.out, &session.out_length, sizeof session.out, payload, length);
			break;
		case EXEC_STDERR:
			append(session.err, &session.err_length, sizeof session.err, payload, length);
			break;
		case EXEC_STDIN_ACK:
			session.unacknowledged -= exec_read_u32(payload);
			break;
		case EXEC_EXIT:
			session.exited = true;
			session.status = payload[0];
			break;
		case EXEC_RESET_DONE:
			memcpy(session.nonce, payload, EXEC_NONCE_BYTES);
			break;
		default:
			fail("the guest sent a frame of unknown type");
		}
		if (header[0] == EXEC_STDOUT || header[0] == EXEC_STDERR)
			session.output_to_acknowledge += length;
		pthread_cond_broadcast(&session.changed);
		pthread_mutex_unlock(&session.lock);
	}
}

/* Acknowledges output; reset() drops what is pending, so that none counts for the next session. */
static void *acknowledge_output(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&session.lock);
		while (session.output_to_acknowledge == 0 || session.holding_acknowledgements)
			pthread_cond_wait(&session.changed, &session.lock);
		pthread_mutex_unlock(&session.lock);
		pthread_mutex_lock(&writing);
		pthread_mutex_lock(&session.lock);
		unsigned char count[4];
		exec_write_u32(count, (uint32_t)session.output_to_acknowledge);
		session.output_to_acknowledge = 0;
		pthread_mutex_unlock(&session.lock);
		if (exec_read_u32(count) > 0 && !write_frame(EXEC_OUTPUT_ACK, count, sizeof count))
			fail("cannot write to the pseudo-terminal");
		pthread_mutex_unlock(&writing);
	}
}

/* Waits, with the lock held, until `done` holds; false after `seconds`. */
static bool wait_until(bool (*done)(const void *), const void *argument, int seconds)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	while (!done(argument))
		if (pthread_cond_timedwait(&session.changed, &session.lock, &deadline) != 0)
			return done(argument);
	return true;
}

static bool nonce_answered(const void *nonce)
{
	return memcmp(session.nonce, nonce, EXEC_NONCE_BYTES) == 0;
}

static bool window_open(const void *unused)
{
	(void)unused;
	return session.unacknowledged < EXEC_STDIN_WINDOW;
}

static bool output_holds(const void *text)
{
	return session.exited || memmem(session.out, session.out_length, text, strlen(text));
}

static bool has_exited(const void *unused)
{
	(void)unused;
	return session.exited;
}

/* What the host does before every session: RESET, and everything up to its answer dropped. */
static void reset(void)
{
	static unsigned long long count;
	unsigned char nonce[EXEC_NONCE_BYTES];
	snprintf((char *)nonce, sizeof nonce, "%07llu", ++count);
	pthread_mutex_lock(&writing);
	pthread_mutex_lock(&session.lock);
	session.output_to_acknowledge = 0;
	pthread_mutex_unlock(&session.lock);
	if (!write_frame(EXEC_RESET, nonce, sizeof nonce))
		fail("cannot write to the pseudo-terminal");
	pthread_mutex_unlock(&writing);
	pthread_mutex_lock(&session.lock);
	if (!wait_until(nonce_answered, nonce, WAIT_SECONDS))
		fail("no RESET_DONE came");
	session.unacknowledged = session.out_length = session.err_length = 0;
	session.exited = false;
	pthread_mutex_unlock(&session.lock);
}

static void request(char *const args[])
{
	unsigned char payload[1024];
	size_t length = 0;
	for (size_t i = 0; args[i]; i++) {
		size_t size = strlen(args[i]) + 1;
		memcpy(payload + length, args[i], size);
		length += size;
	}
	reset();
	send_frame(EXEC_REQUEST, payload, (uint32_t)length);
}

/* Sends stdin as the window allows, until done or the window stays shut for `patience` seconds; returns how much went. */
static size_t send_stdin(const unsigned char *bytes, size_t size, int patience)
{
	size_t sent = 0;
	while (sent < size) {
		pthread_mutex_lock(&session.lock);
		bool open = wait_until(window_open, NULL, patience);
		size_t room = EXEC_STDIN_WINDOW - session.unacknowledged;
		size_t piece = !open ? 0 : size - sent < room ? size - sent : room;
		session.unacknowledged += piece;
		pthread_mutex_unlock(&session.lock);
		if (!open)
			break;
		send_frame(EXEC_STDIN, bytes + sent, (uint32_t)piece);
		sent += piece;
	}
	return sent;
}

static void send_all_stdin(const unsigned char *bytes, size_t size)
{
	if (send_stdin(bytes, size, WAIT_SECONDS) < size)
		fail("no STDIN_ACK came");
}

/* Waits until the session's stdout holds `text`, or it exits. */
static void wait_for_output(const char *text)
{
	pthread_mutex_lock(&session.lock);
	if (!wait_until(output_holds, text, WAIT_SECONDS))
		fail("the command's output did not come");
	pthread_mutex_unlock(&session.lock);
}

static void print_text(const char *text, size_t length)
{
	for (size_t i = 0; i < length && i < 400; i++)
		putchar(text[i] == '\n' ? '|' : isprint((unsigned char)text[i]) ? text[i] : '.');
}

static void finish(const char *name)
{
	pthread_mutex_lock(&session.lock);
	if (!wait_until(has_exited, NULL, WAIT_SECONDS))
		fail("no EXIT came");
	printf("exec %s: status=%d stdout=", name, session.status);
	print_text(session.out, session.out_length);
	printf(" stderr=");
	print_text(session.err, session.err_length);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&session.lock);
}

static void run_sessions(void)
{
	static unsigned char data[1024 * 1024];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);

	request((char *[]){ "/bin/test-app", "report", NULL });
	finish("report");

	request((char *[]){ "test-app", "cat", NULL });
	send_all_stdin((const unsigned char *)"ab", 2);
	send_all_stdin((const unsigned char *)"c\xff", 2);
	send_frame(EXEC_STDIN_END, NULL, 0);
	finish("stdin");

	request((char *[]){ "test-app", "cat", NULL });
	send_all_stdin(data, sizeof data);
	send_frame(EXEC_STDIN_END, NULL, 0);
	finish("big-stdin");
	printf("big-stdin came back whole: %s\n",
	       session.out_length == sizeof data && memcmp(session.out, data, sizeof data) == 0 ? "yes" : "no");

	/* Unacknowledged, the command's output stops at the window; acknowledged, all of it comes. */
	pthread_mutex_lock(&session.lock);
	session.holding_acknowledgements = true;
	pthread_mutex_unlock(&session.lock);
	request((char *[]){ "test-app", "cat", NULL });
	send_all_stdin(data, 3 * EXEC_OUTPUT_WINDOW);
	send_frame(EXEC_STDIN_END, NULL, 0);
	sleep(1);
	pthread_mutex_lock(&session.lock);
	printf("output-window held back: %zu bytes\n", session.out_length);
	session.holding_acknowledgements = false;
	pthread_cond_broadcast(&session.changed);
	pthread_mutex_unlock(&session.lock);
	finish("output-window");
	printf("output-window came whole: %s\n", session.out_length == 3 * EXEC_OUTPUT_WINDOW ? "yes" : "no");

	request((char *[]){ "test-app", "exit", "5", NULL });
	finish("exit-5");

	request((char *[]){ "no-such-program", NULL });
	finish("missing");

	request((char *[]){ "test-app", "wait-for-signals", NULL });
	wait_for_output("ready");
	send_frame(EXEC_SIGNAL, "\x0a", 1);
	wait_for_output("got-signal=10");
	send_frame(EXEC_SIGNAL, "\x0f", 1);
	finish("signals");

	/* A command that never reads stdin: the pipe and the server's buffer fill, yet SIGNAL gets through. */
	request((char *[]){ "test-app", "wait-for-signals", NULL });
	wait_for_output("ready");
	size_t taken = send_stdin(data, sizeof data, 1);
	printf("stdin-not-read took %s\n", taken >= EXEC_STDIN_WINDOW && taken < sizeof data ? "some, then no more" : "?");
	send_frame(EXEC_SIGNAL, "\x0f", 1);
	finish("stdin-not-read");

	/* A client gone mid-session: the host resets, which kills the command; the next session works. */
	request((char *[]){ "test-app", "wait-for-signals", NULL });
	wait_for_output("ready");
	request((char *[]){ "test-app", "exit", "3", NULL });
	finish("after-reset");

	unsigned char garbage[] = { 0x42, 3, 0, 0, 0, 'b', 'a', 'd', EXEC_RESET, 8, 0, 1, 0xff };
	write_all(master, garbage, sizeof garbage);
	request((char *[]){ "test-app", "exit", "4", NULL });
	finish("after-garbage");

	request((char *[]){ "test-app", "wait-for-signals", NULL });
	wait_for_output("ready");
	send_frame(0x42, "x", 1);
	finish("bad-frame-in-session");

	reset();
	send_frame(EXEC_REQUEST, "no-nul", 6);
	finish("bad-request");
}

int main(int argc, char *argv[])
{
	if (argc != 2)
		fail("usage: exec-host COMMAND");
	/* Close-on-exec, so that the write end of the pipe, once closed here, is closed everywhere. */
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	int app_input[2];
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || pipe2(app_input, O_CLOEXEC) != 0)
		fail("cannot make a pseudo-terminal");
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	pid_t child = fork();
	if (child == 0) {
		dup2(app_input[0], STDIN_FILENO);
		dup2(slave, EXEC_FD);
		execl("/bin/sh", "sh", "-c", argv[1], (char *)NULL);
		_exit(127);
	}
	close(slave);
	close(app_input[0]);

	/* The server puts the tty in raw mode before it reads: until then it would echo. */
	struct termios termios;
	for (int i = 0; i < 200 && tcgetattr(master, &termios) == 0 && (termios.c_lflag & ECHO); i++)
		usleep(50 * 1000);
	pthread_t reader, acknowledger;
	pthread_create(&reader, NULL, read_frames, NULL);
	pthread_create(&acknowledger, NULL, acknowledge_output, NULL);
	run_sessions();

	close(app_input[1]);
	int status;
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
