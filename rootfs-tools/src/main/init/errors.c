#include "errors.h"

#include <stdarg.h>
#include <stdio.h>

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
