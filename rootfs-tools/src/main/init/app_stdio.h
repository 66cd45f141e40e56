/*
 * The app's standard streams when the launch config names devices for them
 * (launch_config.h, tags 11-15); otherwise the app inherits the console.
 */
#ifndef APP_STDIO_H
#define APP_STDIO_H

#include <stdbool.h>
#include <sys/types.h>

#include "launch_config.h"

/* Descriptors the app gets as 0, 1 and 2; -1: the console, inherited. */
struct app_stdio {
	int in;
	int out;
	int err;
};

/*
 * In the init, before the app is forked: opens the devices, puts output ttys
 * in raw mode (the bytes reach the host as written), and starts the process
 * that relays the framed input tty into a pipe, then reports
 * EVENT_STDIN_READY. With `terminal` the one device is the app's terminal,
 * left as a terminal. False after a message if a device cannot be used.
 */
bool open_app_stdio(const struct launch_config *config, struct app_stdio *stdio);

/* In the app's process: makes the descriptors its 0, 1 and 2. */
void take_app_stdio(const struct app_stdio *stdio);

/* In the init once the app has ended: waits until the output ttys have passed everything to the host. */
void drain_app_stdio(const struct app_stdio *stdio);

/*
 * Starts the process that reads signal numbers, a byte each, from the
 * control device and sends them to `app`. Does nothing without the device.
 */
bool start_control_relay(const struct launch_config *config, pid_t app);

#endif
