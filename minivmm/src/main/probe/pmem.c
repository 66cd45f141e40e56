#include "pmem.h"
#include "io.h"
#include "layout.h"

#define MAX_REGIONS 8
#define WRITE_MARK 0x706d656d77726974UL	/* "pmemwrit": what the write check leaves in each page */

static struct { u64 start, size; const char *source; } regions[MAX_REGIONS];
static int nr_regions;

static void add_region(u64 start, u64 size, const char *source)
{
	if (nr_regions < MAX_REGIONS)
		regions[nr_regions++] = (typeof(regions[0])){ start, size, source };
}

void pmem_add_virtio_region(u64 start, u64 size)
{
	add_region(start, size, "virtio-pmem");
}

static volatile u64 *word_at(u64 address)
{
	return (volatile u64 *)(uintptr_t)address;
}

/* One read per page: on the host this faults the whole image in, so its sharing can be measured. */
static void touch(u64 start, u64 size)
{
	u64 sink = 0;
	for (u64 offset = 0; offset < size; offset += PAGE_SIZE)
		sink += *word_at(start + offset);
	asm volatile("" : : "r"(sink));
}

static u64 checksum(u64 start, u64 bytes)
{
	u64 sum = 0;
#pragma GCC unroll 8
	for (u64 offset = 0; offset < bytes; offset += 8)
		sum += *word_at(start + offset);
	return sum;
}

/* Marks one word in each page of [start, start + bytes), then reads every mark back. */
static const char *write_and_read_back(u64 start, u64 bytes)
{
	for (u64 offset = 0; offset < bytes; offset += PAGE_SIZE)
		*word_at(start + offset) = WRITE_MARK ^ offset;
	for (u64 offset = 0; offset < bytes; offset += PAGE_SIZE) {
		if (*word_at(start + offset) != (WRITE_MARK ^ offset))
			return "a write to pmem did not read back";
	}
	return NULL;
}

/* On a read-only region the write must be dropped: the word keeps its old value. */
static const char *write_refused(u64 start)
{
	u64 before = *word_at(start);
	*word_at(start) = ~before;
	return *word_at(start) == before ? NULL : "a write to read-only pmem took effect";
}

const char *check_pmem(struct probe_context *context)
{
	const struct probe_options *options = &context->options;
	for (int i = 0; i < context->boot.nr_mem; i++) {
		if (context->boot.mem[i].type == E820_PRAM)
			add_region(context->boot.mem[i].addr, context->boot.mem[i].size, "e820");
	}
	if (!nr_regions) {
		print("probe: pmem none\n");
		return options->pmem_sum_kib || options->pmem_touch || options->pmem_write_kib || options->pmem_write_refused
			? "a pmem option was given but there is no pmem region" : NULL;
	}
	for (int i = 0; i < nr_regions; i++)
		print("probe: pmem%lu 0x%lx-0x%lx (%s)\n", (u64)i, regions[i].start, regions[i].start + regions[i].size,
		      regions[i].source);

	u64 start = regions[0].start, size = regions[0].size;
	if (options->pmem_sum_kib) {
		u64 bytes = options->pmem_sum_kib * 1024;
		if (bytes > size)
			return "pmem-sum-kib is larger than the region";
		print("probe: pmem0 sum 0x%lx over %lu KiB\n", checksum(start, bytes), options->pmem_sum_kib);
	}
	if (options->pmem_touch) {
		for (int i = 0; i < nr_regions; i++)
			touch(regions[i].start, regions[i].size);
		print("probe: pmem touched every page of %lu regions\n", (u64)nr_regions);
	}
	if (options->pmem_write_kib) {
		u64 bytes = options->pmem_write_kib * 1024;
		if (bytes > size)
			return "pmem-write-kib is larger than the region";
		const char *problem = write_and_read_back(start, bytes);
		if (problem)
			return problem;
		print("probe: pmem0 wrote and read back %lu KiB\n", options->pmem_write_kib);
	}
	if (options->pmem_write_refused) {
		const char *problem = write_refused(start);
		if (problem)
			return problem;
		print("probe: pmem0 write refused (read-only)\n");
	}
	return NULL;
}
