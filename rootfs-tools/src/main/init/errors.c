#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>

int status_of(int wait_status)
{
	return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

void print_error(const char *format, ...)
{
	char message[1024];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(message, sizeof message, format, arguments);
	va_end(arguments);
	/* One call, so one write: the line is not interleaved with the app's output. */
	fprintf(stderr, "minivmm-init: %s\n", message);
}
