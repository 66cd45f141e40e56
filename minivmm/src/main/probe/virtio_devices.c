/*
 * The virtio check: finds the devices the VMM put on the command line, as
 * Linux's virtio_mmio.device=<size>@<base>:<irq> tokens, and exercises the
 * entropy and block devices through virtio.c.
 */
#include "checks.h"
#include "io.h"
#include "virtio.h"
#include "virtio_net.h"
#include "pmem.h"
#include "options.h"

#define DEVICE_TOKEN "virtio_mmio.device="
#define FOUR_GIB (1UL << 32)		/* the identity-mapped span the probe can reach */
#define REGISTERS_BYTES 0x100		/* the register block before the config space */

#define RNG_BYTES 64

#define SECTOR_BYTES 512
#define BLK_CONFIG_CAPACITY 0		/* u64, in 512-byte sectors */
#define VIRTIO_BLK_F_RO (1UL << 5)
#define VIRTIO_BLK_T_IN    0
#define VIRTIO_BLK_T_OUT   1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK    0
#define VIRTIO_BLK_S_IOERR 1
#define STATUS_NOT_WRITTEN 0xff		/* no status: shows a device that never wrote one */

static const char test_disk_marker[] = "MINIVMM-TEST-DISK";	/* the tests' disks start with it */
static const char written_text[] = "PROBE-WROTE-SECTOR-1";

struct virtio_blk_header {
	u32 type, reserved;
	u64 sector;
};

/* Device buffers, one set per device slot like the queues; in the bss, so zero until used. */
static u64 rng_buffers[VIRTIO_QUEUE_AREAS][RNG_BYTES / 8];
static struct blk_buffers {
	struct virtio_blk_header header;
	u8 status;
	u8 sector0[SECTOR_BYTES];
	u8 written[SECTOR_BYTES];	/* sector 1 as the probe writes it */
	u8 read_back[SECTOR_BYTES];	/* sector 1 read again: zero before, so the device must fill it */
} blk_buffers[VIRTIO_QUEUE_AREAS];

static bool starts_with(const u8 *bytes, const char *text)
{
	for (int i = 0; text[i]; i++)
		if (bytes[i] != (u8)text[i])
			return false;
	return true;
}

static bool same_bytes(const u8 *a, const u8 *b, int length)
{
	for (int i = 0; i < length; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static const char *check_entropy(struct virtio_device *device, int slot)
{
	u64 *words = rng_buffers[slot];
	struct virtio_buffer buffer = { words, RNG_BYTES, true };
	u32 written;
	const char *problem = virtio_request(device, &buffer, 1, &written);
	if (problem)
		return problem;
	if (written != RNG_BYTES) {
		print("probe: virtio-rng@0x%lx used length %lu\n", device->base, (u64)written);
		return "virtio-rng used length is not the 64 bytes asked for";
	}
	u64 any_bits = 0;
	for (int i = 0; i < RNG_BYTES / 8; i++)
		any_bits |= words[i];
	if (!any_bits)
		return "virtio-rng returned 64 zero bytes";
	print("probe: virtio-rng@0x%lx %lu bytes ok\n", device->base, (u64)RNG_BYTES);
	return NULL;
}

/*
 * One block request: header, optional one-sector data buffer, status byte.
 * Checks the used length (the bytes the device wrote: data on a good read, and
 * the status) and returns the status in *status.
 */
static const char *blk_request(struct virtio_device *device, struct blk_buffers *buffers, u32 type, u64 sector,
			       u8 *data, u8 *status)
{
	bool reads = type == VIRTIO_BLK_T_IN;
	buffers->header = (struct virtio_blk_header){ .type = type, .sector = sector };
	buffers->status = STATUS_NOT_WRITTEN;
	struct virtio_buffer chain[3];
	int count = 0;
	chain[count++] = (struct virtio_buffer){ &buffers->header, sizeof(buffers->header), false };
	if (data)
		chain[count++] = (struct virtio_buffer){ data, SECTOR_BYTES, reads };
	chain[count++] = (struct virtio_buffer){ &buffers->status, 1, true };

	u32 written;
	const char *problem = virtio_request(device, chain, count, &written);
	if (problem)
		return problem;
	*status = buffers->status;
	u32 expected = (reads && *status == VIRTIO_BLK_S_OK ? SECTOR_BYTES : 0) + 1;
	if (*status == STATUS_NOT_WRITTEN)
		return "virtio-blk did not write the status byte";
	if (written != expected) {
		print("probe: virtio-blk@0x%lx request type %lu: used length %lu, expected %lu\n", device->base,
		      (u64)type, (u64)written, (u64)expected);
		return "virtio-blk used length wrong";
	}
	return NULL;
}

#define COPY_TARGET 0x2000000UL	/* guest RAM above the probe image, where blk-copy-mib puts the disk */
#define COPY_CHUNK (64 * 1024)

/*
 * Reads the disk's first `mib` MiB into guest RAM at COPY_TARGET, 64 KiB a request: the guest's own
 * copy of an image, which DAX avoids. The VM needs COPY_TARGET + the copy in RAM.
 */
static const char *copy_to_ram(struct virtio_device *device, struct blk_buffers *buffers, u64 mib)
{
	for (u64 offset = 0; offset < mib << 20; offset += COPY_CHUNK) {
		buffers->header = (struct virtio_blk_header){ .type = VIRTIO_BLK_T_IN, .sector = offset / SECTOR_BYTES };
		buffers->status = STATUS_NOT_WRITTEN;
		struct virtio_buffer chain[] = {
			{ &buffers->header, sizeof(buffers->header), false },
			{ (void *)(uintptr_t)(COPY_TARGET + offset), COPY_CHUNK, true },
			{ &buffers->status, 1, true },
		};
		u32 written;
		const char *problem = virtio_request(device, chain, 3, &written);
		if (problem)
			return problem;
		if (buffers->status != VIRTIO_BLK_S_OK || written != COPY_CHUNK + 1)
			return "virtio-blk copy into RAM failed (disk too small, or too little RAM for it?)";
	}
	print("probe: virtio-blk@0x%lx copied %lu MiB into RAM at 0x%lx\n", device->base, mib, COPY_TARGET);
	return NULL;
}

#define BENCH_BLOCK 4096

/*
 * `count` 4 KiB reads, sequential or at pseudo-random 4 KiB-aligned places, one in flight: each is a
 * kick, the device's work, the used-ring update and the interrupt. Prints the total and the fastest
 * request's TSC cycles; the fastest is the kick-to-interrupt latency with the least host noise.
 */
static const char *bench_reads(struct virtio_device *device, struct blk_buffers *buffers, u64 capacity, u64 count,
			       bool random)
{
	u64 blocks = capacity / (BENCH_BLOCK / SECTOR_BYTES), state = 0x9e3779b97f4a7c15UL, fastest = ~0UL;
	u64 start = rdtsc();
	for (u64 i = 0; i < count; i++) {
		u64 block = i % blocks;
		if (random) {
			state ^= state << 13, state ^= state >> 7, state ^= state << 17;	/* xorshift64 */
			block = state % blocks;
		}
		buffers->header = (struct virtio_blk_header){ .type = VIRTIO_BLK_T_IN, .sector = block * (BENCH_BLOCK / SECTOR_BYTES) };
		buffers->status = STATUS_NOT_WRITTEN;
		struct virtio_buffer chain[] = {
			{ &buffers->header, sizeof(buffers->header), false },
			{ (void *)(uintptr_t)COPY_TARGET, BENCH_BLOCK, true },
			{ &buffers->status, 1, true },
		};
		u32 written;
		u64 request_start = rdtsc();
		const char *problem = virtio_request(device, chain, 3, &written);
		u64 cycles = rdtsc() - request_start;
		if (problem)
			return problem;
		if (buffers->status != VIRTIO_BLK_S_OK || written != BENCH_BLOCK + 1)
			return "virtio-blk bench read failed";
		if (cycles < fastest)
			fastest = cycles;
	}
	print("probe: blk-bench %s %lu requests %lu tsc cycles, fastest %lu\n", random ? "random" : "sequential", count,
	      rdtsc() - start, fastest);
	return NULL;
}

/* The console's transmitq (port 0): one line, which the host must pass to its console output. */
static const char *check_console(struct virtio_device *device)
{
	static const char line[] = "probe: hello through virtio-console\n";
	struct virtio_buffer buffer = { (void *)line, sizeof(line) - 1, false };
	u32 written;
	const char *problem = virtio_request(device, &buffer, 1, &written);
	if (problem)
		return problem;
	print("probe: virtio-console@0x%lx line sent\n", device->base);
	return NULL;
}

static void print_status(const struct virtio_device *device, const char *request, u8 status)
{
	print("probe: virtio-blk@0x%lx %s: status %lu\n", device->base, request, (u64)status);
}

/* The first 16 bytes of sector 0 in hex, for a disk the probe does not test. */
static void print_first_bytes(const struct virtio_device *device, const u8 *bytes)
{
	static const char digits[] = "0123456789abcdef";
	char hex[32];
	for (int i = 0; i < 16; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	print("probe: virtio-blk@0x%lx sector 0 starts %.*s\n", device->base, (int)sizeof(hex), hex);
}

/*
 * Reads sector 0. With the blk-test option, the disk must be a test disk: a
 * writable one gets sector 1 written, flushed and read back; a read-only one
 * must refuse the write with IOERR.
 */
/* virtio-pmem: where the region is, and a flush that must complete (a no-op for a copy-on-write image). */
static const char *check_pmem_device(struct virtio_device *device, int slot)
{
	u64 start = virtio_config_read64(device, 0), size = virtio_config_read64(device, 8);
	u32 *request = (u32 *)rng_buffers[slot];	/* the slot's small buffer, unused by this device otherwise */
	request[0] = 0;				/* VIRTIO_PMEM_REQ_TYPE_FLUSH */
	request[1] = 0xffffffff;
	struct virtio_buffer chain[] = { { &request[0], 4, false }, { &request[1], 4, true } };
	u32 written;
	const char *problem = virtio_request(device, chain, 2, &written);
	if (problem)
		return problem;
	if (written != 4 || request[1] != 0)
		return "virtio-pmem flush did not complete with ret 0";
	pmem_add_virtio_region(start, size);
	print("probe: virtio-pmem@0x%lx region 0x%lx-0x%lx, flush ok\n", device->base, start, start + size);
	return NULL;
}

/* The first e820 persistent-memory region's start, or 0. */
static u64 first_pmem(const struct boot_info *boot)
{
	for (int i = 0; i < boot->nr_mem; i++) {
		if (boot->mem[i].type == E820_PRAM)
			return boot->mem[i].addr;
	}
	return 0;
}

/* A read whose data buffer is persistent memory: devices must take guest buffers there too. */
static const char *read_into_pmem(struct virtio_device *device, struct blk_buffers *buffers, const struct boot_info *boot)
{
	u64 pmem = first_pmem(boot);
	if (!pmem)
		return "blk-into-pmem needs an e820 pmem region";
	u8 status;
	const char *problem = blk_request(device, buffers, VIRTIO_BLK_T_IN, 0, (u8 *)(uintptr_t)pmem, &status);
	if (problem)
		return problem;
	if (status != VIRTIO_BLK_S_OK || !starts_with((const u8 *)(uintptr_t)pmem, test_disk_marker))
		return "virtio-blk read of sector 0 into pmem failed";
	print("probe: virtio-blk@0x%lx read sector 0 into pmem at 0x%lx\n", device->base, pmem);
	return NULL;
}

static const char *check_block(struct virtio_device *device, int slot, const struct probe_context *context)
{
	struct blk_buffers *buffers = &blk_buffers[slot];
	u64 capacity = virtio_config_read64(device, BLK_CONFIG_CAPACITY);
	bool read_only = device->features & VIRTIO_BLK_F_RO;
	u8 status;
	const char *problem;

	if (device->queue.size < 3)
		return "virtio-blk queue too small for a 3-buffer request";
	const struct probe_options *options = &context->options;
	bool blk_test = options->blk_test;
	if (capacity < (blk_test ? 2 : 1)) {
		print("probe: virtio-blk@0x%lx %lu sectors\n", device->base, capacity);
		return blk_test ? "virtio-blk test disk smaller than 2 sectors" : "virtio-blk disk is empty";
	}
	if ((problem = blk_request(device, buffers, VIRTIO_BLK_T_IN, 0, buffers->sector0, &status)))
		return problem;
	if (status != VIRTIO_BLK_S_OK) {
		print_status(device, "read sector 0", status);
		return "virtio-blk read failed";
	}
	bool marked = starts_with(buffers->sector0, test_disk_marker);
	if (!blk_test) {
		print("probe: virtio-blk@0x%lx %lu sectors%s, read ok\n", device->base, capacity,
		      read_only ? " read-only" : "");
		print_first_bytes(device, buffers->sector0);
		if (!marked)
			print("probe: virtio-blk@0x%lx no test marker\n", device->base);
		if (options->blk_into_pmem && (problem = read_into_pmem(device, buffers, &context->boot)))
			return problem;
		if (options->blk_bench) {
			if ((problem = bench_reads(device, buffers, capacity, options->blk_bench, false)) ||
			    (problem = bench_reads(device, buffers, capacity, options->blk_bench, true)))
				return problem;
		}
		return options->blk_copy_mib ? copy_to_ram(device, buffers, options->blk_copy_mib) : NULL;
	}
	if (!marked) {
		print_first_bytes(device, buffers->sector0);
		return "no test marker (MINIVMM-TEST-DISK) in sector 0 of the blk-test disk";
	}

	for (int i = 0; written_text[i]; i++)
		buffers->written[i] = written_text[i];	/* the rest of the sector stays zero */
	if ((problem = blk_request(device, buffers, VIRTIO_BLK_T_OUT, 1, buffers->written, &status)))
		return problem;
	if (read_only) {
		if (status != VIRTIO_BLK_S_IOERR) {
			print_status(device, "write to a read-only disk", status);
			return "virtio-blk read-only disk did not refuse a write with IOERR";
		}
		print("probe: virtio-blk@0x%lx %lu sectors, read ok\n", device->base, capacity);
		print("probe: virtio-blk@0x%lx read-only: write refused\n", device->base);
		return NULL;
	}
	if (status != VIRTIO_BLK_S_OK) {
		print_status(device, "write sector 1", status);
		return "virtio-blk write failed";
	}
	if ((problem = blk_request(device, buffers, VIRTIO_BLK_T_FLUSH, 0, NULL, &status)))
		return problem;
	if (status != VIRTIO_BLK_S_OK) {
		print_status(device, "flush", status);
		return "virtio-blk flush failed";
	}
	if ((problem = blk_request(device, buffers, VIRTIO_BLK_T_IN, 1, buffers->read_back, &status)))
		return problem;
	if (status != VIRTIO_BLK_S_OK) {
		print_status(device, "read sector 1", status);
		return "virtio-blk read failed";
	}
	if (!same_bytes(buffers->read_back, buffers->written, SECTOR_BYTES))
		return "virtio-blk sector 1 reads back other bytes than were written";
	print("probe: virtio-blk@0x%lx %lu sectors, read ok, write ok, flush ok\n", device->base, capacity);
	return NULL;
}

/* A number as Linux writes it here: hex after 0x, else decimal; at most 16 digits. */
static bool take_number(const char **at, const char *end, u64 *value)
{
	const char *p = *at;
	u64 radix = 10;
	if (end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		radix = 16;
		p += 2;
	}
	u64 result = 0;
	const char *digits = p;
	for (; p < end && p - digits < 16; p++) {
		char c = *p;
		u64 digit = c >= '0' && c <= '9' ? (u64)(c - '0')
			  : c >= 'a' && c <= 'f' ? (u64)(c - 'a' + 10)
			  : c >= 'A' && c <= 'F' ? (u64)(c - 'A' + 10) : 16;
		if (digit >= radix)
			break;
		result = result * radix + digit;
	}
	if (p == digits)
		return false;
	*at = p;
	*value = result;
	return true;
}

static bool take_char(const char **at, const char *end, char c)
{
	if (*at < end && **at == c) {
		(*at)++;
		return true;
	}
	return false;
}

/*
 * The value of a virtio_mmio.device= token: <size>[K|M|G]@<base>:<irq>[:<id>]
 * (Linux's drivers/virtio/virtio_mmio.c; its size may have a suffix; the id is ignored).
 */
static const char *parse_device(const char *at, const char *end, u64 *base, u64 *size, u64 *irq)
{
	u64 id;
	if (!take_number(&at, end, size))
		return "malformed virtio_mmio.device size";
	int shift = take_char(&at, end, 'K') || take_char(&at, end, 'k') ? 10
		  : take_char(&at, end, 'M') || take_char(&at, end, 'm') ? 20
		  : take_char(&at, end, 'G') || take_char(&at, end, 'g') ? 30 : 0;
	if (!take_char(&at, end, '@') || !take_number(&at, end, base) || !take_char(&at, end, ':')
	    || !take_number(&at, end, irq) || (take_char(&at, end, ':') && !take_number(&at, end, &id)) || at != end)
		return "malformed virtio_mmio.device";
	if (*size >= FOUR_GIB >> shift || *base >= FOUR_GIB)
		return "virtio_mmio.device above 4 GiB, where the probe has no identity map";
	*size <<= shift;
	if (*size < REGISTERS_BYTES || *base % 4 || *base + *size > FOUR_GIB)
		return "virtio_mmio.device window misaligned, too small or above 4 GiB";
	return NULL;
}

static const char *device_name(u32 id)
{
	switch (id) {
	case 0: return "no device";
	case VIRTIO_ID_NET: return "network";
	case VIRTIO_ID_BLOCK: return "block";
	case VIRTIO_ID_ENTROPY: return "entropy";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_PMEM: return "pmem";
	default: return "not tested";
	}
}

/* Identifies, sets up and tests one device; *slots counts the queue areas taken. */
static const char *check_device(u64 base, u64 irq, int *slots, const struct probe_context *context)
{
	struct virtio_device device;
	const char *problem = virtio_identify(&device, base, irq);
	if (problem)
		return problem;
	if (device.id != VIRTIO_ID_ENTROPY && device.id != VIRTIO_ID_BLOCK && device.id != VIRTIO_ID_PMEM
	    && device.id != VIRTIO_ID_CONSOLE && device.id != VIRTIO_ID_NET) {
		print("probe: virtio@0x%lx irq %lu: device %lu (%s), skipped\n", base, irq, (u64)device.id,
		      device_name(device.id));
		return NULL;
	}
	int areas = device.id == VIRTIO_ID_NET ? NET_QUEUE_AREAS : 1;
	if (*slots + areas > VIRTIO_QUEUE_AREAS)
		return "more virtio queues than the probe has queue areas for (6)";
	int slot = *slots;
	*slots += areas;
	if (device.id == VIRTIO_ID_NET)
		return check_net(&device, slot, &context->options);
	/* The console's queue 0 receives; the probe only sends, on queue 1 (transmitq). */
	if ((problem = virtio_setup(&device, slot, device.id == VIRTIO_ID_CONSOLE ? 1 : 0)))
		return problem;
	print("probe: virtio@0x%lx irq %lu: device %lu (%s), features 0x%lx, queue size %lu\n", base, irq,
	      (u64)device.id, device_name(device.id), device.features, (u64)device.queue.size);
	problem = device.id == VIRTIO_ID_BLOCK ? check_block(&device, slot, context)
		: device.id == VIRTIO_ID_PMEM ? check_pmem_device(&device, slot)
		: device.id == VIRTIO_ID_CONSOLE ? check_console(&device) : check_entropy(&device, slot);
	if (!problem)
		print("probe: virtio@0x%lx used-buffer interrupt seen and acknowledged after each of %lu requests\n",
		      base, (u64)device.queue.completed);
	return problem;
}

/* Runs after the segments check: the queue areas and buffers are in the bss, which it expects zero. */
const char *check_virtio(struct probe_context *context)
{
	const char *cursor = context->boot.cmdline ? context->boot.cmdline : "";
	const char *first_problem = NULL;
	int devices = 0, slots = 0, length;
	int prefix_length = sizeof(DEVICE_TOKEN) - 1;

	for (const char *token; (token = next_token(&cursor, &length)); ) {
		if (length < prefix_length || !starts_with((const u8 *)token, DEVICE_TOKEN))
			continue;
		devices++;
		u64 base, size, irq;
		const char *problem = parse_device(token + prefix_length, token + length, &base, &size, &irq);
		if (problem) {
			print("probe: virtio \"%.*s\": %s\n", length, token, problem);
		} else {
			problem = check_device(base, irq, &slots, context);
			if (problem)
				print("probe: virtio@0x%lx failed: %s\n", base, problem);
		}
		if (!first_problem)
			first_problem = problem;
	}
	if (!devices)
		print("probe: virtio none\n");
	return first_problem;
}
