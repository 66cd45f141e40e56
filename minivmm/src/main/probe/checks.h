/* The probe's checks: adding one is a function in checks.c plus a line in its table. */
#ifndef PROBE_CHECKS_H
#define PROBE_CHECKS_H

#include "boot_info.h"
#include "options.h"

struct probe_context {
	struct boot_info boot;
	struct probe_options options;	/* all zero until the cmdline check parses them */
};

/* A check prints its own "probe: " lines and returns NULL when it passes, else what failed. */
struct check {
	const char *name;
	const char *(*run)(struct probe_context *context);
};

/* Checks in files of their own. */
const char *check_virtio(struct probe_context *context);	/* virtio_devices.c */

extern const struct check checks[];
extern const int nr_checks;

#endif
