#include "checks.h"
#include "pmem.h"
#include "io.h"
#include "layout.h"

#define CMDLINE_MAX 2048	/* Linux's COMMAND_LINE_SIZE, NUL included */
#define MIB (1024 * 1024)

static u64 address(const void *pointer)
{
	return (u64)(uintptr_t)pointer;
}

static const char *check_protocol(struct probe_context *context)
{
	print("probe: protocol %s\n", context->boot.protocol);
	return context->boot.error;
}

static const char *check_cmdline(struct probe_context *context)
{
	const char *cmdline = context->boot.cmdline;
	if (!cmdline) {
		print("probe: cmdline absent\n");
		return "no command line";
	}
	int length = 0;
	while (length < CMDLINE_MAX && cmdline[length])
		length++;
	if (length == CMDLINE_MAX)
		return "command line not NUL-terminated within 2048 bytes";
	print("probe: cmdline \"%s\"\n", cmdline);
	return parse_options(cmdline, &context->options);
}

static const char *e820_type_name(u32 type)
{
	switch (type) {
	case E820_RAM: return "ram";
	case E820_RESERVED: return "reserved";
	case 3: return "acpi";
	case 4: return "nvs";
	case 5: return "unusable";
	case 7: return "pmem";
	default: return NULL;
	}
}

static const char *check_e820(struct probe_context *context)
{
	const struct boot_info *boot = &context->boot;
	u64 image_start = address(probe_image_start), image_end = address(probe_image_end);
	bool has_ram = false, ram_covers_image = false;
	u64 ram_and_reserved = 0;

	print("probe: e820 %lu entries\n", (u64)boot->nr_mem);
	for (int i = 0; i < boot->nr_mem; i++) {
		const struct boot_mem_range *range = &boot->mem[i];
		u64 end = range->addr + range->size;
		const char *name = e820_type_name(range->type);
		if (name)
			print("probe: e820 0x%lx-0x%lx %s\n", range->addr, end, name);
		else
			print("probe: e820 0x%lx-0x%lx %lu\n", range->addr, end, (u64)range->type);
		if (range->type == E820_RAM) {
			has_ram = true;
			ram_covers_image |= range->addr <= image_start && image_end <= end;
		}
		if (range->type == E820_RAM || range->type == E820_RESERVED)
			ram_and_reserved += range->size;
	}
	if (!has_ram)
		return "no RAM entry";
	if (!ram_covers_image) {
		print("probe: image 0x%lx-0x%lx\n", image_start, image_end);
		return "no RAM entry covers the probe image";
	}
	u64 expected = context->options.ram_mib * MIB;
	if (expected && ram_and_reserved != expected) {
		print("probe: e820 ram+reserved 0x%lx bytes, ram-mib=%lu is 0x%lx\n",
		      ram_and_reserved, context->options.ram_mib, expected);
		return "RAM+reserved total differs from ram-mib";
	}
	return NULL;
}

/* First nonzero word in [start, end), or NULL. One repe scasq: cheap even when emulated. */
static const u64 *find_nonzero_word(const u64 *start, const u64 *end)
{
	const u64 *next = start;
	u64 remaining = end - start;
	if (!remaining)
		return NULL;
	asm volatile("repe scasq" : "+D"(next), "+c"(remaining) : "a"(0UL), "m"(*(const u64 (*)[])start) : "cc");
	return next[-1] ? next - 1 : NULL;
}

static u64 sum_words(const u64 *words, u64 count)
{
	u64 sum = 0;
	/* Fewer loop instructions: each one is emulated at kernel mode on kvm_pvm. */
#pragma GCC unroll 8
	for (u64 i = 0; i < count; i++)
		sum += words[i];
	return sum;
}

static const char *check_data_pattern(void)
{
	for (u64 i = 0; i < DATA_PATTERN_BYTES / 8; i++) {
		if (data_pattern[i] != pattern_word(i * 8, DATA_PATTERN_KEY)) {
			print("probe: data word at 0x%lx is 0x%lx\n", address(&data_pattern[i]), data_pattern[i]);
			return "initialized data differs from the file";
		}
	}
	return NULL;
}

static const char *check_bss_zero(void)
{
	const u64 *nonzero = find_nonzero_word(bss_start, bss_end);
	if (nonzero) {
		print("probe: bss word at 0x%lx is 0x%lx\n", address(nonzero), *nonzero);
		return "bss not zero";
	}
	print("probe: bss 0x%lx-0x%lx zero, stack 0x%lx-0x%lx not checked\n",
	      address(bss_start), address(bss_end), address(stack_bottom), address(stack_top));
	return NULL;
}

static const char *check_pattern_checksum(void)
{
	u64 sum = sum_words(pattern_region, PATTERN_CHECKSUM_BYTES / 8);
	if (sum != pattern_checksum) {
		print("probe: pattern checksum 0x%lx, build says 0x%lx\n", sum, pattern_checksum);
		return "pattern checksum differs from the build's";
	}
	return NULL;
}

/* The loaded segments hold what the file holds, and the bss is zero. */
static const char *check_segments(struct probe_context *context)
{
	(void)context;
	/* All three run, so one report shows every segment that is wrong. */
	const char *data = check_data_pattern();
	const char *bss = check_bss_zero();
	const char *checksum = check_pattern_checksum();
	const char *problem = data ? data : bss ? bss : checksum;
	if (!problem)
		print("probe: segments ok\n");
	return problem;
}

/* One read per page of the read-only pattern: faults every page in on the host. */
static const char *check_touch(struct probe_context *context)
{
	(void)context;
	for (u64 offset = 0; offset < PATTERN_BYTES; offset += PAGE_SIZE) {
		u64 word = pattern_region[offset / 8];
		if (word != pattern_word(offset, PATTERN_KEY)) {
			print("probe: pattern word at 0x%lx is 0x%lx\n", address(&pattern_region[offset / 8]), word);
			return "pattern page differs from the file";
		}
	}
	print("probe: pattern %lu pages ok\n", (u64)(PATTERN_BYTES / PAGE_SIZE));
	return NULL;
}

/* The first write to a file-backed data page (copy-on-write for a VMM that maps the file). */
static const char *check_data_write(struct probe_context *context)
{
	(void)context;
	volatile u64 *page = &data_pattern[PAGE_SIZE / 8];
	for (u64 i = 0; i < PAGE_SIZE / 8; i++)
		page[i] = ~pattern_word(i * 8, DATA_PATTERN_KEY);
	for (u64 i = 0; i < PAGE_SIZE / 8; i++) {
		if (page[i] != ~pattern_word(i * 8, DATA_PATTERN_KEY)) {
			print("probe: written word at 0x%lx reads 0x%lx\n", address((const void *)&page[i]), page[i]);
			return "data page does not read back what was written";
		}
	}
	print("probe: data write ok\n");
	return NULL;
}

/* Bytes of [start, start + length) sum to zero mod 256, as every MP specification structure must. */
static bool checksum_ok(const u8 *start, u64 length)
{
	u8 sum = 0;
	for (u64 i = 0; i < length; i++)
		sum += start[i];
	return sum == 0;
}

/* The MP floating pointer in the last KiB of base memory, where Linux looks first without a BIOS. */
static const u8 *find_mp_floating_pointer(void)
{
	for (u64 at = 0x9fc00; at < 0xa0000; at += 16) {
		const u8 *p = (const u8 *)(uintptr_t)at;
		if (p[0] == '_' && p[1] == 'M' && p[2] == 'P' && p[3] == '_' && p[8] == 1 && checksum_ok(p, 16))
			return p;
	}
	return NULL;
}

/* What Linux's MP-table parser (ACPI off) reads to find the CPUs: enabled processor entries. */
static const char *check_mptable(struct probe_context *context)
{
	u64 expected = context->options.cpus;
	const u8 *pointer = find_mp_floating_pointer();
	if (!pointer) {
		print("probe: mptable absent\n");
		return expected ? "no MP floating pointer in the last KiB of base memory" : NULL;
	}
	const u8 *table = (const u8 *)(uintptr_t)*(const u32 *)(pointer + 4);
	u16 length = *(const u16 *)(table + 4);
	if (!(table[0] == 'P' && table[1] == 'C' && table[2] == 'M' && table[3] == 'P') || !checksum_ok(table, length))
		return "MP configuration table signature or checksum wrong";
	u16 entries = *(const u16 *)(table + 34);
	const u8 *entry = table + 44;
	u64 cpus = 0;
	for (u16 i = 0; i < entries && entry < table + length; i++) {
		if (entry[0] == 0) {
			cpus += entry[3] & 1;
			entry += 20;
		} else {
			entry += 8;
		}
	}
	print("probe: mptable %lu cpus\n", cpus);
	if (expected && cpus != expected)
		return "MP table processor count differs from cpus=";
	return NULL;
}

/*
 * In order: protocol and cmdline fill in what later checks use (the options),
 * segments reads the data page that data-write then overwrites, and sees the
 * bss zero before virtio puts its queues there.
 */
const struct check checks[] = {
	{ "protocol", check_protocol },
	{ "cmdline", check_cmdline },
	{ "e820", check_e820 },
	{ "mptable", check_mptable },
	{ "segments", check_segments },
	{ "virtio", check_virtio },
	{ "pmem", check_pmem },
	{ "touch", check_touch },
	{ "data-write", check_data_write },
};

const int nr_checks = sizeof(checks) / sizeof(checks[0]);
