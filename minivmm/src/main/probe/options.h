/* The probe's command line options. */
#ifndef PROBE_OPTIONS_H
#define PROBE_OPTIONS_H

#include "types.h"

/* How the probe ends the VM after its report. */
enum ending {
	END_EXIT_PORT,		/* default: the status to EXIT_PORT */
	END_HALT,		/* halt: stop the CPU and stay, for tests that look at a live VM */
	END_RESET,		/* reset: i8042 command 0xfe, as Linux's reboot=k */
	END_TRIPLE_FAULT,	/* triple-fault: an exception with no IDT, as a crashing kernel */
};

/* All zero is the default. */
struct probe_options {
	u64 exit_status;	/* exit=N: status when every check passes, 0..255 */
	u64 ram_mib;		/* ram-mib=N: expected RAM+reserved e820 total; 0 = not checked */
	u64 pio_loop_exits;	/* pio-loop=N: writes to the bench port after the checks; 0 = none */
	u64 cpus;		/* cpus=N: expected enabled processors in the MP table; 0 = not checked */
	u64 pmem_sum_kib;	/* pmem-sum-kib=N: checksum the first N KiB of the first pmem region */
	u64 pmem_write_kib;	/* pmem-write-kib=N: write one word per page of its first N KiB, read back */
	bool pmem_touch;	/* pmem-touch: read one word per page of every pmem region */
	bool pmem_write_refused;	/* pmem-write-refused: a write to it must not take effect (read-only) */
	u64 blk_copy_mib;
	u64 blk_bench;		/* blk-bench=N: N sequential and N random 4 KiB reads, timed (bench-blk) */	/* blk-copy-mib=N: read a disk's first N MiB into guest RAM (bench-density) */
	bool blk_test;
	bool blk_into_pmem;	/* blk-into-pmem: read a disk's sector 0 into the first e820 pmem region */		/* blk-test: virtio-blk disks are test disks: check the marker, write, flush */
	bool net_test;		/* net-test: virtio-net devices send an ARP request for 192.0.2.1 and need the reply */
	enum ending ending;
};

/*
 * The next space-separated token of a command line at *cursor: returns its start,
 * sets *length and moves *cursor past it; NULL at the end.
 */
const char *next_token(const char **cursor, int *length);

/*
 * Applies the space-separated tokens of `cmdline`, printing the ones it does
 * not know as ignored. Returns NULL, or what was wrong with a known option.
 */
const char *parse_options(const char *cmdline, struct probe_options *options);

#endif
