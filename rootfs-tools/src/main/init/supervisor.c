#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app.h"
#include "errors.h"
#include "events.h"
#include "exec_server.h"

/* What a container runtime forwards to the app. */
static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

/* Reaps every child that has ended; true, with the app's wait status, once the app is among them. */
static bool reap_children(pid_t app, pid_t exec_server, int *app_status)
{
	bool app_ended = false;
	int status;
	pid_t child;
	while ((child = waitpid(-1, &status, WNOHANG)) > 0) {
		if (child == app) {
			*app_status = status;
			app_ended = true;
		} else if (child == exec_server) {
			print_error("the exec server ended with status %d: the host cannot run commands in this"
				    " container any more", status_of(status));
			report_event(EVENT_EXEC_ENDED);
		}
	}
	return app_ended;
}

int supervise_app(const struct launch_config *config, const struct app_stdio *stdio)
{
	/* Blocked and taken with sigwaitinfo: no handler runs, and none can race with the fork. */
	sigset_t watched, original;
	sigemptyset(&watched);
	sigaddset(&watched, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
		sigaddset(&watched, forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &watched, &original);

	pid_t app = fork();
	if (app < 0) {
		print_error("cannot fork the app: %s", strerror(errno));
		return STATUS_INIT_FAILED;
	}
	if (app == 0) {
		sigprocmask(SIG_SETMASK, &original, NULL);	/* a blocked mask would survive the exec */
		exec_app(config, stdio);
	}
	if (!start_control_relay(config, app))
		print_error("the host cannot send signals to the app");
	pid_t exec_server = start_exec_server(config, &original);

	for (;;) {
		int signal = sigwaitinfo(&watched, NULL);
		int status = 0;
		if (signal == SIGCHLD && reap_children(app, exec_server, &status)) {
			report_event(EVENT_APP_EXITED);
			return status_of(status);
		}
		if (signal > 0 && signal != SIGCHLD)
			kill(app, signal);
	}
}
