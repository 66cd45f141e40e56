#include "events.h"

#include <sys/io.h>

static bool enabled;

void enable_events(void)
{
	enabled = ioperm(EVENT_PORT, 1, 1) == 0;
}

void report_event(enum init_event event)
{
	if (enabled)
		outb((unsigned char)event, EVENT_PORT);
}

void drop_event_port(void)
{
	if (enabled)
		ioperm(EVENT_PORT, 1, 0);
}
