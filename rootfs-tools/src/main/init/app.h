/* The app's side of the fork: from a copy of the init to the container's program. */
#ifndef APP_H
#define APP_H

#include <stdnoreturn.h>

#include "app_stdio.h"
#include "launch_config.h"

/*
 * In the child the init forked: takes its standard streams, starts a
 * session (with its terminal as the controlling terminal if the config
 * asks), takes the container's user,
 * groups and working directory, and execs the program found through PATH.
 * If any step fails it says why and exits with STATUS_NOT_FOUND for a
 * missing program, STATUS_INIT_FAILED for the terminal, else
 * STATUS_CANNOT_EXECUTE; the supervisor reports that status like the app's.
 */
noreturn void exec_app(const struct launch_config *config, const struct app_stdio *stdio);

#endif
