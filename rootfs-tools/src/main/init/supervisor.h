/* PID 1's job once the container's root is in place. */
#ifndef SUPERVISOR_H
#define SUPERVISOR_H

#include "app_stdio.h"
#include "launch_config.h"

/*
 * Forks the app with `stdio` as its standard streams and stays as the
 * reaper: reaps every child, the app's orphans included, and forwards
 * SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH to the
 * app, as well as the signals the host sends over the control device, and
 * starts the exec server (exec_server.h). Returns when the app ends: its exit
 * status, or 128 + the signal that killed it; STATUS_INIT_FAILED if it
 * cannot fork.
 */
int supervise_app(const struct launch_config *config, const struct app_stdio *stdio);

#endif
