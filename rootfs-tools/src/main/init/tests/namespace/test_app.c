/*
 * The app that namespace-test runs under minivmm-init, built static into the
 * container image. It reports what the init gave it, one "key=value" line
 * each, or behaves in the way a test needs:
 *   report                  identity, directory, hostname, session, mounts
 *   exit N                  exits with N
 *   kill-self SIGNAL        dies of SIGNAL
 *   wait-for-signals        prints each forwarded signal, exits 42 on SIGTERM
 *   orphans                 leaves a grandchild to the init, then counts zombies
 *   cat                     copies stdin to stdout until its end
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(void)
{
	char text[4096];
	gid_t groups[64];
	int group_count = getgroups(64, groups);

	printf("uid=%u gid=%u groups=", (unsigned)getuid(), (unsigned)getgid());
	for (int i = 0; i < group_count; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	printf("\ncwd=%s\n", getcwd(text, sizeof text) ? text : "?");
	gethostname(text, sizeof text);
	printf("hostname=%s\n", text);
	printf("pid-is-session-leader=%s\n", getsid(0) == getpid() ? "yes" : "no");
	int tty = open("/dev/tty", O_RDONLY);
	printf("controlling-terminal=%s\n", tty >= 0 ? "yes" : "no");
	printf("GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
	ssize_t length = readlink("/dev/fd", text, sizeof text - 1);
	printf("/dev/fd->%.*s\n", length > 0 ? (int)length : 0, text);

	FILE *mounts = fopen("/proc/self/mounts", "r");
	char device[256], target[256], type[64];
	while (mounts && fscanf(mounts, "%255s %255s %63s %*[^\n]", device, target, type) == 3)
		printf("mount=%s %s\n", target, type);
}

static void print_signal(int signal)
{
	char line[32];
	int length = snprintf(line, sizeof line, "got-signal=%d\n", signal);
	write(STDOUT_FILENO, line, (size_t)length);
	if (signal == SIGTERM)
		_exit(42);
}

static void wait_for_signals(void)
{
	int signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
		signal(signals[i], print_signal);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* Zombies whose parent is PID 1: children the init has not reaped. */
static int zombies_of_init(void)
{
	int zombies = 0;
	DIR *proc = opendir("/proc");
	struct dirent *entry;
	while (proc && (entry = readdir(proc))) {
		char path[300], state;
		int parent;
		snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
		FILE *stat = fopen(path, "r");
		if (stat && fscanf(stat, "%*d %*s %c %d", &state, &parent) == 2 && state == 'Z' && parent == 1)
			zombies++;
		if (stat)
			fclose(stat);
	}
	return zombies;
}

static void orphans(void)
{
	pid_t child = fork();
	if (child == 0) {
		if (fork() == 0) {	/* the grandchild outlives its parent, then ends */
			usleep(100 * 1000);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(child, NULL, 0);
	usleep(500 * 1000);
	printf("zombies-of-init=%d\n", zombies_of_init());
}

static void cat(void)
{
	char buffer[4096];
	ssize_t count;
	while ((count = read(STDIN_FILENO, buffer, sizeof buffer)) > 0)
		if (write(STDOUT_FILENO, buffer, (size_t)count) != count)
			exit(1);
}

int main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "report") == 0)
		report();
	else if (argc == 3 && strcmp(argv[1], "exit") == 0)
		return atoi(argv[2]);
	else if (argc == 3 && strcmp(argv[1], "kill-self") == 0)
		raise(atoi(argv[2]));
	else if (argc == 2 && strcmp(argv[1], "wait-for-signals") == 0)
		wait_for_signals();
	else if (argc == 2 && strcmp(argv[1], "orphans") == 0)
		orphans();
	else if (argc == 2 && strcmp(argv[1], "cat") == 0)
		cat();
	else
		return 99;
	return 0;
}
