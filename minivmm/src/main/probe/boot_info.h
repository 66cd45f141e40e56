/* What the probe learns from the boot protocol, the same for both entry points. */
#ifndef PROBE_BOOT_INFO_H
#define PROBE_BOOT_INFO_H

#include "types.h"

#define E820_RAM      1
#define E820_RESERVED 2

#define BOOT_INFO_MAX_MEM 128	/* as many as Linux's zero page holds */

struct boot_mem_range {
	u64 addr, size;
	u32 type;		/* E820_* */
};

struct boot_info {
	const char *protocol;	/* "linux64" or "pvh" */
	const char *error;	/* why the boot structure is unusable, or NULL */
	const char *cmdline;	/* NULL when absent */
	int nr_mem;
	struct boot_mem_range mem[BOOT_INFO_MAX_MEM];
};

/* Fill `info` from Linux's struct boot_params (the "zero page"). */
void boot_info_from_linux64(struct boot_info *info, u64 boot_params_paddr);

/* Fill `info` from Xen's struct hvm_start_info (PVH). */
void boot_info_from_pvh(struct boot_info *info, u64 start_info_paddr);

#endif
