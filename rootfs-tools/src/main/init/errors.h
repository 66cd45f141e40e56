/* How the init fails: a message on the console and a distinct exit status. */
#ifndef ERRORS_H
#define ERRORS_H

/* The statuses shells and runc's callers expect. */
#define STATUS_INIT_FAILED 125		/* the init itself: launch config, mounts, fork */
#define STATUS_CANNOT_EXECUTE 126	/* the app's program, user, group or directory */
#define STATUS_NOT_FOUND 127		/* no such program */

/* What a shell reports for a waitpid status: the exit status, or 128 + the signal that killed it. */
int status_of(int wait_status);

/* Prints "minivmm-init: <message>" and a newline to stderr, the console. */
void print_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
