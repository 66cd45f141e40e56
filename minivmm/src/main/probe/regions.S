/*
 * The regions the checks verify, laid out in the ELF file so a VMM that maps
 * the file shows (or fails to show) their content to the guest.
 */
#include "layout.h"

/* Emits `bytes` of pattern: the word at byte offset o is o ^ key. */
.macro offset_pattern bytes, key
	.set	.Loffset, 0
	.rept	\bytes / 8
	.quad	.Loffset ^ \key
	.set	.Loffset, .Loffset + 8
	.endr
.endm

/* 2 MiB of read-only file pages: the host can watch them shared in the page cache. */
	.section .pattern, "a"
	.balign PAGE_SIZE
	.globl pattern_region
pattern_region:
	offset_pattern PATTERN_BYTES, PATTERN_KEY

/* The build's own checksum of the pattern's start, from the same formula. */
	.section .rodata
	.balign 8
	.globl pattern_checksum
pattern_checksum:
	.set	.Lsum, 0
	.set	.Loffset, 0
	.rept	PATTERN_CHECKSUM_BYTES / 8
	.set	.Lsum, .Lsum + (.Loffset ^ PATTERN_KEY)
	.set	.Loffset, .Loffset + 8
	.endr
	.quad	.Lsum

/* Initialized data pages, whole pages of their own. */
	.section .data.pattern, "aw"
	.balign PAGE_SIZE
	.globl data_pattern
data_pattern:
	offset_pattern DATA_PATTERN_BYTES, DATA_PATTERN_KEY

/* Must read as zero: the VMM zero-fills the segment beyond its file part. */
	.section .bss
	.balign PAGE_SIZE
	.skip	BSS_ZERO_BYTES

	.section .note.GNU-stack, "", @progbits
