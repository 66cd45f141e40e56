/*
 * minivmm-init: PID 1 of every container VM.
 *
 * It lives in the shared runtime image, which the kernel mounts as "/", and
 * runs one app from the container's own image:
 *   1. devtmpfs on /dev, to see the devices;
 *   2. the launch config from its device (config_device.h, launch_config.h);
 *   3. the container's root device on /newroot, pivot_root into it, and the
 *      kernel's file systems in it (mounts.h);
 *   4. the hostname;
 *   5. the app's standard streams, if the host gave devices for them
 *      (app_stdio.h);
 *   6. the app, forked, with PID 1 staying as reaper and signal forwarder
 *      (supervisor.h, app.h), and the exec server if the host asked for one
 *      (exec_server.h);
 *   7. its exit status to the exit port, which ends the VM (exit_port.h).
 * Milestones go to the VMM's event port on the way (events.h).
 * Any failure of the init's own is reported as status 125 after a message.
 *
 * Test mode, for running on a host inside throwaway namespaces:
 *   minivmm-init --test-config FILE
 * reads the launch config from FILE instead of scanning the devices, and
 * prints the status and exits with it instead of touching the exit and
 * event ports, I/O ports of the host there. Everything else runs as in the VM.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config_device.h"
#include "app_stdio.h"
#include "errors.h"
#include "events.h"
#include "exit_port.h"
#include "launch_config.h"
#include "mounts.h"
#include "supervisor.h"

/* The FILE of --test-config FILE, or NULL. Other arguments, words the kernel passed on, are ignored. */
static const char *test_config_path(int argc, char *argv[])
{
	return argc == 3 && strcmp(argv[1], "--test-config") == 0 ? argv[2] : NULL;
}

static int run_container(const char *test_config, struct app_stdio *stdio)
{
	struct launch_config config;
	char device[sizeof "/dev/pmem99"];

	if (!mount_boot_dev())
		return STATUS_INIT_FAILED;
	const char *config_path = test_config;
	if (!config_path) {
		if (!find_launch_config_device(device, sizeof device)) {
			print_error("no launch config: none of /dev/pmem0-15 and /dev/vda-vdz starts with \"%s\"",
				    LAUNCH_CONFIG_MAGIC);
			return STATUS_INIT_FAILED;
		}
		config_path = device;
	}
	if (!load_launch_config(config_path, &config) || !enter_container_root(&config))
		return STATUS_INIT_FAILED;
	if (config.hostname && sethostname(config.hostname, strlen(config.hostname)) != 0) {
		print_error("cannot set the hostname to \"%s\"", config.hostname);
		return STATUS_INIT_FAILED;
	}
	if (!open_app_stdio(&config, stdio))
		return STATUS_INIT_FAILED;
	return supervise_app(&config, stdio);
}

int main(int argc, char *argv[])
{
	const char *test_config = test_config_path(argc, argv);
	struct app_stdio stdio = { -1, -1, -1 };
	if (!test_config)
		enable_events();
	report_event(EVENT_INIT_STARTED);
	int status = run_container(test_config, &stdio);

	drain_app_stdio(&stdio);
	fflush(stdout);
	fflush(stderr);
	if (test_config) {
		fprintf(stderr, "minivmm-init: exit status %d\n", status);
		return status;
	}
	power_off_with_status((unsigned char)status);
}
