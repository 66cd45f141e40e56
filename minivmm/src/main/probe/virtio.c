#include "virtio.h"
#include "io.h"
#include "layout.h"

/* virtio-mmio registers (virtio 1.2 §4.2.2), byte offsets. */
#define REG_MAGIC               0x000
#define REG_VERSION             0x004
#define REG_DEVICE_ID           0x008
#define REG_DEVICE_FEATURES     0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES     0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL           0x030
#define REG_QUEUE_NUM_MAX       0x034
#define REG_QUEUE_NUM           0x038
#define REG_QUEUE_READY         0x044
#define REG_QUEUE_NOTIFY        0x050
#define REG_INTERRUPT_STATUS    0x060
#define REG_INTERRUPT_ACK       0x064
#define REG_STATUS              0x070
#define REG_QUEUE_DESC_LOW      0x080
#define REG_QUEUE_DESC_HIGH     0x084
#define REG_QUEUE_DRIVER_LOW    0x090
#define REG_QUEUE_DRIVER_HIGH   0x094
#define REG_QUEUE_DEVICE_LOW    0x0a0
#define REG_QUEUE_DEVICE_HIGH   0x0a4
#define REG_CONFIG_GENERATION   0x0fc
#define REG_CONFIG              0x100

#define MAGIC_VIRT 0x74726976	/* "virt" */

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER      2
#define STATUS_DRIVER_OK   4
#define STATUS_FEATURES_OK 8

#define VIRTIO_F_VERSION_1 (1UL << 32)

#define INTERRUPT_USED_BUFFER 1

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

#define QUEUE_SIZE_MAX 8	/* enough for a 3-buffer block request; keeps the rings tiny */

/*
 * Emulated kernel-mode code runs about 1 µs per instruction on kvm_pvm, so this
 * is several seconds there; a device that answers does so within a few polls.
 */
#define USED_POLLS_MAX 1000000
/* Register reads (MMIO exits) to wait for a status bit the device sets just after another event. */
#define REGISTER_POLLS_MAX 1000

/* The split virtqueue (virtio 1.2 §2.7), at QUEUE_SIZE_MAX; a smaller queue uses the front. */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

struct virtq_avail {
	u16 flags, idx;
	u16 ring[QUEUE_SIZE_MAX];
	u16 used_event;
};

struct virtq_used {
	u16 flags, idx;
	struct { u32 id, len; } ring[QUEUE_SIZE_MAX];
	u16 avail_event;
};

/*
 * Page-aligned, so the descriptor table (first) is 16-byte aligned; the avail
 * ring needs 2 and the used ring 4, which their fields' alignment gives. In the
 * bss: zero until used, which the segments check verified before.
 */
struct virtio_queue_memory {
	struct virtq_desc desc[QUEUE_SIZE_MAX];
	struct virtq_avail avail;
	struct virtq_used used;
} __attribute__((aligned(PAGE_SIZE)));

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");
_Static_assert(offsetof(struct virtio_queue_memory, used) % 4 == 0, "used ring alignment");

static struct virtio_queue_memory queue_memory[VIRTIO_QUEUE_AREAS];

/* Keeps the compiler from moving memory accesses across it; x86 keeps stores in order. */
#define compiler_barrier() asm volatile("" ::: "memory")

static u32 read_register(const struct virtio_device *device, u32 offset)
{
	return device->registers[offset / 4];
}

static void write_register(const struct virtio_device *device, u32 offset, u32 value)
{
	device->registers[offset / 4] = value;
}

static void write_register64(const struct virtio_device *device, u32 low_offset, const void *pointer)
{
	u64 value = (u64)(uintptr_t)pointer;	/* identity-mapped: the guest physical address */
	write_register(device, low_offset, (u32)value);
	write_register(device, low_offset + 4, (u32)(value >> 32));
}

const char *virtio_identify(struct virtio_device *device, u64 base, u64 irq)
{
	*device = (struct virtio_device){ .registers = (volatile u32 *)(uintptr_t)base, .base = base, .irq = irq };
	u32 magic = read_register(device, REG_MAGIC);
	if (magic != MAGIC_VIRT) {
		print("probe: virtio@0x%lx magic 0x%lx\n", base, (u64)magic);
		return "no virtio-mmio magic value";
	}
	u32 version = read_register(device, REG_VERSION);
	if (version != 2) {
		print("probe: virtio@0x%lx register layout version %lu\n", base, (u64)version);
		return version == 1 ? "legacy virtio-mmio (version 1) not supported" : "unknown virtio-mmio version";
	}
	device->id = read_register(device, REG_DEVICE_ID);
	return NULL;
}

const char *virtio_negotiate(struct virtio_device *device, u64 wanted)
{
	/* virtio 1.2 §3.1.1; the device may take a moment to finish a reset. */
	write_register(device, REG_STATUS, 0);
	u32 status = read_register(device, REG_STATUS);
	for (int reads = 1; reads < REGISTER_POLLS_MAX && status != 0; reads++)
		status = read_register(device, REG_STATUS);
	if (status != 0)
		return "device status not 0 after reset";
	write_register(device, REG_STATUS, STATUS_ACKNOWLEDGE);
	write_register(device, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);

	write_register(device, REG_DEVICE_FEATURES_SEL, 0);
	u64 low = read_register(device, REG_DEVICE_FEATURES);
	write_register(device, REG_DEVICE_FEATURES_SEL, 1);
	u64 high = read_register(device, REG_DEVICE_FEATURES);
	device->features = high << 32 | low;
	if (!(device->features & VIRTIO_F_VERSION_1))
		return "device does not offer VIRTIO_F_VERSION_1";
	/* VERSION_1 and what the caller understands, if offered: nothing else changes what we send. */
	u64 accepted = VIRTIO_F_VERSION_1 | (wanted & device->features);
	write_register(device, REG_DRIVER_FEATURES_SEL, 0);
	write_register(device, REG_DRIVER_FEATURES, (u32)accepted);
	write_register(device, REG_DRIVER_FEATURES_SEL, 1);
	write_register(device, REG_DRIVER_FEATURES, (u32)(accepted >> 32));
	write_register(device, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
	if (!(read_register(device, REG_STATUS) & STATUS_FEATURES_OK))
		return "device refused the features (FEATURES_OK not set)";
	return NULL;
}

const char *virtio_setup_queue(struct virtio_device *device, struct virtio_queue *queue, u32 index, int slot)
{
	if (slot < 0 || slot >= VIRTIO_QUEUE_AREAS)
		return "more virtio queues than the probe has queue areas for";
	write_register(device, REG_QUEUE_SEL, index);
	if (read_register(device, REG_QUEUE_READY) != 0)
		return "queue ready before set-up";
	u32 max = read_register(device, REG_QUEUE_NUM_MAX);
	if (max == 0)
		return "queue not available (QueueNumMax 0)";
	*queue = (struct virtio_queue){
		.index = index,
		.size = max < QUEUE_SIZE_MAX ? max : QUEUE_SIZE_MAX,
		.memory = &queue_memory[slot],
	};
	write_register(device, REG_QUEUE_NUM, queue->size);
	write_register64(device, REG_QUEUE_DESC_LOW, queue->memory->desc);
	write_register64(device, REG_QUEUE_DRIVER_LOW, &queue->memory->avail);
	write_register64(device, REG_QUEUE_DEVICE_LOW, &queue->memory->used);
	write_register(device, REG_QUEUE_READY, 1);
	return NULL;
}

void virtio_driver_ok(struct virtio_device *device)
{
	write_register(device, REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

const char *virtio_setup(struct virtio_device *device, int slot, u32 queue)
{
	const char *problem;
	if ((problem = virtio_negotiate(device, 0)) || (problem = virtio_setup_queue(device, &device->queue, queue, slot)))
		return problem;
	virtio_driver_ok(device);
	return NULL;
}

/*
 * Interrupts are off, so the probe looks at InterruptStatus: the device sets
 * bit 0 when it notifies, just after updating the used ring, so a few reads may
 * be needed. Acknowledging must clear it, or the next request's check means nothing.
 */
static const char *acknowledge_used_buffer_interrupt(const struct virtio_device *device)
{
	u32 status = 0;
	for (int reads = 0; reads < REGISTER_POLLS_MAX && !(status & INTERRUPT_USED_BUFFER); reads++)
		status = read_register(device, REG_INTERRUPT_STATUS);
	if (!(status & INTERRUPT_USED_BUFFER)) {
		print("probe: virtio@0x%lx InterruptStatus 0x%lx after a used buffer\n", device->base, (u64)status);
		return "no used-buffer interrupt (InterruptStatus bit 0 clear)";
	}
	write_register(device, REG_INTERRUPT_ACK, status);
	u32 after = read_register(device, REG_INTERRUPT_STATUS);
	if (after & status) {
		print("probe: virtio@0x%lx InterruptStatus 0x%lx after acknowledging 0x%lx\n", device->base,
		      (u64)after, (u64)status);
		return "InterruptACK did not clear InterruptStatus";
	}
	return NULL;
}

void virtio_post(struct virtio_queue *queue, u16 first, const struct virtio_buffer *chain, int count)
{
	struct virtio_queue_memory *memory = queue->memory;
	for (int i = 0; i < count; i++) {
		u16 at = (first + i) % queue->size;
		bool last = i == count - 1;
		memory->desc[at] = (struct virtq_desc){
			.addr = (u64)(uintptr_t)chain[i].data,
			.len = chain[i].length,
			.flags = (chain[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT),
			.next = last ? 0 : (at + 1) % queue->size,
		};
	}
	memory->avail.ring[queue->posted % queue->size] = first % queue->size;
	compiler_barrier();	/* the chain and ring entry before the index that publishes them */
	queue->posted++;
	*(volatile u16 *)&memory->avail.idx = queue->posted;
	compiler_barrier();	/* the index before any notification */
}

void virtio_notify(const struct virtio_device *device, const struct virtio_queue *queue)
{
	write_register(device, REG_QUEUE_NOTIFY, queue->index);
}

bool virtio_take_used(struct virtio_queue *queue, u32 *head, u32 *length)
{
	volatile const u16 *used_idx = &queue->memory->used.idx;
	if (*used_idx == queue->completed)
		return false;
	compiler_barrier();	/* the used entry and the buffers only after the index */
	*head = queue->memory->used.ring[queue->completed % queue->size].id;
	*length = queue->memory->used.ring[queue->completed % queue->size].len;
	queue->completed++;
	return true;
}

u32 virtio_acknowledge_interrupts(const struct virtio_device *device)
{
	u32 status = read_register(device, REG_INTERRUPT_STATUS);
	if (status)
		write_register(device, REG_INTERRUPT_ACK, status);
	return status;
}

const char *virtio_request(struct virtio_device *device, const struct virtio_buffer *chain, int count,
			   u32 *used_length)
{
	struct virtio_queue *queue = &device->queue;
	if (count < 1 || count > queue->size)
		return "request chain longer than the queue";

	/* One request in flight, so its chain can always start at descriptor 0. */
	virtio_post(queue, 0, chain, count);
	virtio_notify(device, queue);

	volatile const u16 *used_idx = &queue->memory->used.idx;
	u16 used;
	int polls = 0;
	while ((used = *used_idx) == queue->completed) {
		if (++polls == USED_POLLS_MAX)
			return "timeout waiting for the used ring";
	}
	if (used != (u16)(queue->completed + 1)) {
		print("probe: virtio@0x%lx used idx %lu, expected %lu\n", device->base, (u64)used,
		      (u64)(u16)(queue->completed + 1));
		return "used idx moved by more than the one request";
	}
	u32 head = UINT32_MAX;
	virtio_take_used(queue, &head, used_length);
	if (head != 0)
		return "used ring names a descriptor that was not posted";
	return acknowledge_used_buffer_interrupt(device);
}

u64 virtio_config_read64(struct virtio_device *device, u32 offset)
{
	/* 32-bit halves (§4.2.2.2); a changed generation means they may be from two versions. */
	u64 low = 0, high = 0;
	for (int tries = 0; tries < 4; tries++) {
		u32 generation = read_register(device, REG_CONFIG_GENERATION);
		low = read_register(device, REG_CONFIG + offset);
		high = read_register(device, REG_CONFIG + offset + 4);
		if (read_register(device, REG_CONFIG_GENERATION) == generation)
			break;
	}
	return high << 32 | low;
}

u8 virtio_config_read8(const struct virtio_device *device, u32 offset)
{
	return *((volatile const u8 *)device->registers + REG_CONFIG + offset);
}

u16 virtio_config_read16(const struct virtio_device *device, u32 offset)
{
	return *(volatile const u16 *)((volatile const u8 *)device->registers + REG_CONFIG + offset);
}
