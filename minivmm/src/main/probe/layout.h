/*
 * Constants and symbols shared by the C code and the assembly. The linker
 * script (probe.ld) places the sections; the sizes here are what the checks
 * expect to find there.
 */
#ifndef PROBE_LAYOUT_H
#define PROBE_LAYOUT_H

#define PAGE_SIZE 4096

/* Which entry point ran; passed from the assembly to probe_main. */
#define PROTOCOL_LINUX64 1
#define PROTOCOL_PVH     2

/*
 * Test regions (regions.S). In both patterns the 8-byte word at byte offset o
 * of the region holds o ^ key, so every page differs and is easy to predict.
 */
#define PATTERN_BYTES          (2 * 1024 * 1024)   /* read-only, file-backed */
#define PATTERN_KEY            0x70726f6265506174  /* "probePat" */
#define PATTERN_CHECKSUM_BYTES (64 * 1024)          /* summed by the build and by the guest */
#define DATA_PATTERN_BYTES     (2 * PAGE_SIZE)      /* initialized data; the second page gets written */
#define DATA_PATTERN_KEY       0x70726f6265446174  /* "probeDat" */
#define BSS_ZERO_BYTES         (64 * 1024)
#define STACK_BYTES            (16 * 1024)

#ifndef __ASSEMBLER__
#include "types.h"

/* From probe.ld: the whole loaded image, and the bss without the stack. */
extern const u8 probe_image_start[], probe_image_end[];
extern const u64 bss_start[], bss_end[];
extern const u8 stack_bottom[], stack_top[];

/* From regions.S. */
extern const u64 pattern_region[PATTERN_BYTES / 8];
extern const u64 pattern_checksum;  /* sum of the first PATTERN_CHECKSUM_BYTES, mod 2^64 */
extern u64 data_pattern[DATA_PATTERN_BYTES / 8];

static inline u64 pattern_word(u64 offset, u64 key)
{
	return offset ^ key;
}
#endif

#endif
