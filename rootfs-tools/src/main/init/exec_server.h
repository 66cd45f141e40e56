/*
 * The exec server: a process of its own that runs the host's commands in the
 * container, one session at a time, over the exec tty (exec_protocol.h). A
 * command gets what the app gets from the launch config (exec_as_app), pipes
 * as its standard streams, and a session and process group of its own.
 * Being apart from PID 1, whatever the host sends cannot take the init down.
 */
#ifndef EXEC_SERVER_H
#define EXEC_SERVER_H

#include <signal.h>
#include <sys/types.h>

#include "launch_config.h"

/*
 * In the init once the app is forked: opens the exec device, makes it raw,
 * forks the server and reports EVENT_EXEC_READY. Commands start with
 * `command_mask` as their signal mask. Returns the server's pid; 0 without
 * the device; -1, after a message and EVENT_EXEC_ENDED, if it cannot start.
 */
pid_t start_exec_server(const struct launch_config *config, const sigset_t *command_mask);

#endif
