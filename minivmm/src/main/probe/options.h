/* The probe's command line options. */
#ifndef PROBE_OPTIONS_H
#define PROBE_OPTIONS_H

#include "types.h"

/* All zero is the default. */
struct probe_options {
	u64 exit_status;	/* exit=N: status when every check passes, 0..255 */
	u64 ram_mib;		/* ram-mib=N: expected RAM+reserved e820 total; 0 = not checked */
	u64 pio_loop_exits;	/* pio-loop=N: writes to the bench port after the checks; 0 = none */
	u64 cpus;		/* cpus=N: expected enabled processors in the MP table; 0 = not checked */
	bool halt;		/* halt: stop the CPU after the report instead of exiting */
};

/*
 * Applies the space-separated tokens of `cmdline`, printing the ones it does
 * not know as ignored. Returns NULL, or what was wrong with a known option.
 */
const char *parse_options(const char *cmdline, struct probe_options *options);

#endif
