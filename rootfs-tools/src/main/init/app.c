#include "app.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "errors.h"
#include "events.h"
#include "identity.h"
#include "path_search.h"

/* The whole text of a file (up to a NUL, which text files lack), or NULL if it cannot be read. */
static char *read_text_file(const char *path)
{
	FILE *file = fopen(path, "re");
	if (!file)
		return NULL;
	char *text = NULL;
	size_t capacity = 0;
	ssize_t length = getdelim(&text, &capacity, '\0', file);
	bool failed = ferror(file);
	fclose(file);
	if (failed || length < 0) {
		free(text);
		return failed ? NULL : strdup("");	/* getdelim reads nothing from an empty file */
	}
	return text;
}

static void take_terminal(void)
{
	/* The terminal is now standard input; 1: take it even if another session has it. */
	if (ioctl(STDIN_FILENO, TIOCSCTTY, 1) != 0) {
		print_error("cannot make the console the app's controlling terminal: %s", strerror(errno));
		_exit(STATUS_INIT_FAILED);
	}
}

/* Names are looked up in the container's files, which are "/etc/..." since the root switch. */
static void take_identity(const struct launch_config *config, const char *role)
{
	struct identity identity;
	char error[IDENTITY_ERROR_BYTES];
	char *passwd = read_text_file("/etc/passwd");
	char *group_file = read_text_file("/etc/group");
	bool resolved = resolve_identity(config->user, config->group, passwd, group_file, &identity, error);
	free(passwd);
	free(group_file);
	if (!resolved) {
		print_error("cannot start %s: %s", role, error);
		_exit(STATUS_CANNOT_EXECUTE);
	}
	if (setgroups(config->supplementary_gid_count, config->supplementary_gids) != 0 ||
	    setgid(identity.gid) != 0 || setuid(identity.uid) != 0) {
		print_error("cannot start %s as uid %u, gid %u: %s",
			    role, (unsigned)identity.uid, (unsigned)identity.gid, strerror(errno));
		_exit(STATUS_CANNOT_EXECUTE);
	}
}

noreturn void exec_app(const struct launch_config *config, const struct app_stdio *stdio)
{
	take_app_stdio(stdio);
	setsid();	/* the app leads its own session, apart from the init */
	if (config->terminal)
		take_terminal();
	report_event(EVENT_APP_EXEC);
	exec_as_app(config, config->args, "the app");
}

noreturn void exec_as_app(const struct launch_config *config, char *const args[], const char *role)
{
	const char *name = args[0];
	char found[PATH_MAX];

	take_identity(config, role);
	if (chdir(config->cwd) != 0) {
		print_error("cannot start %s: cannot change to the working directory %s: %s",
			    role, config->cwd, strerror(errno));
		_exit(STATUS_CANNOT_EXECUTE);
	}

	int missing;
	const char *path = path_from_env(config->env);
	const char *program = find_program(name, path, found, sizeof found, &missing);
	if (!program) {
		print_error(missing == EACCES ? "cannot start %s: %s: no file of that name in PATH %s is executable"
			    : "cannot start %s: %s: not found in PATH %s", role, name, path);
		_exit(missing == EACCES ? STATUS_CANNOT_EXECUTE : STATUS_NOT_FOUND);
	}
	drop_event_port();
	execve(program, args, config->env);
	int exec_errno = errno;
	print_error("cannot start %s: %s: %s", role, program, strerror(exec_errno));
	_exit(exec_errno == ENOENT ? STATUS_NOT_FOUND : STATUS_CANNOT_EXECUTE);
}
