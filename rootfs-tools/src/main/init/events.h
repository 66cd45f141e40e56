/*
 * Milestones the init reports to the VMM, one byte each on an I/O port,
 * for minivmm's boot timeline and to tell it when the app's input may flow.
 * A VMM that has no device there ignores them.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdbool.h>

#define EVENT_PORT 0x502

enum init_event {
	EVENT_INIT_STARTED = 1,
	EVENT_STDIN_READY = 2,	/* the input tty is raw: the host may send */
	EVENT_APP_EXEC = 3,	/* the app's process takes its identity and execs */
	EVENT_APP_EXITED = 4,
	EVENT_EXEC_READY = 5,	/* the exec tty is raw: the host may send */
	EVENT_EXEC_ENDED = 6,	/* the exec server has ended or could not start */
};

/* Off in test mode, where the port would be the host's own hardware. */
void enable_events(void);

void report_event(enum init_event event);

/* In the app's process, or a command's, just before exec: it gets no access to the port. */
void drop_event_port(void);

#endif
