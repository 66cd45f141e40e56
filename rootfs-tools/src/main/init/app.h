/* From a forked copy of the init to a program of the container: the app, or a command the host execs. */
#ifndef APP_H
#define APP_H

#include <stdnoreturn.h>

#include "app_stdio.h"
#include "launch_config.h"

/*
 * In the child the init forked: takes its standard streams, starts a
 * session (with its terminal as the controlling terminal if the config
 * asks), and execs the app as exec_as_app does. If the terminal cannot be
 * taken it says why and exits with STATUS_INIT_FAILED; the supervisor
 * reports that status like the app's.
 */
noreturn void exec_app(const struct launch_config *config, const struct app_stdio *stdio);

/*
 * What the app and every command the host execs share: takes the
 * container's user, groups and working directory from `config`, and execs
 * args[0], found through the PATH of the app's environment, with that
 * environment. If any step fails it says why ("cannot start <role>: ...")
 * and exits with STATUS_NOT_FOUND for a missing program, else
 * STATUS_CANNOT_EXECUTE.
 */
noreturn void exec_as_app(const struct launch_config *config, char *const args[], const char *role);

#endif
