/*
 * A minimal virtio-mmio driver (register layout version 2, virtio 1.2 §4.2.2):
 * completion polled, since the probe runs with interrupts off. Most devices get
 * one queue and one request in flight (virtio_setup, virtio_request); the
 * network device drives two queues with the lower-level calls below. Every
 * register access is an MMIO exit, so there are few.
 */
#ifndef PROBE_VIRTIO_H
#define PROBE_VIRTIO_H

#include "types.h"

#define VIRTIO_QUEUE_AREAS 6	/* queues the probe can drive in all; one area (a page) each */

#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_ENTROPY 4
#define VIRTIO_ID_PMEM    27

struct virtio_queue_memory;

/* One split virtqueue as the probe drives it. */
struct virtio_queue {
	u32 index;			/* the device's queue number */
	u16 size;
	u16 posted;			/* chains made available: our copy of avail->idx */
	u16 completed;			/* chains seen used: our copy of used->idx */
	struct virtio_queue_memory *memory;
};

struct virtio_device {
	volatile u32 *registers;	/* the MMIO window, identity-mapped */
	u64 base;
	u64 irq;			/* from the command line; only reported */
	u32 id;				/* virtio device id; 0 = no device behind the transport */
	u64 features;			/* what the device offers, both halves */
	struct virtio_queue queue;	/* what virtio_setup sets up: 0, or 1 for the console's transmitq */
};

/* One piece of a request's descriptor chain. */
struct virtio_buffer {
	void *data;
	u32 length;
	bool device_writes;		/* VIRTQ_DESC_F_WRITE: device-writable */
};

/* Checks the magic value and version and reads the device id. */
const char *virtio_identify(struct virtio_device *device, u64 base, u64 irq);

/*
 * Reset, feature negotiation (VIRTIO_F_VERSION_1 only), queue `queue` in queue
 * area `slot` (< VIRTIO_QUEUE_AREAS, a different one per queue), DRIVER_OK.
 * The device's other queues stay unconfigured, which the spec allows.
 */
const char *virtio_setup(struct virtio_device *device, int slot, u32 queue);

/* The steps of virtio_setup, for devices with more queues: VERSION_1 and those of `wanted` the device offers. */
const char *virtio_negotiate(struct virtio_device *device, u64 wanted);
const char *virtio_setup_queue(struct virtio_device *device, struct virtio_queue *queue, u32 index, int slot);
void virtio_driver_ok(struct virtio_device *device);

/*
 * Makes a chain of `count` buffers available on `queue`, in descriptors `first`
 * onwards (the caller keeps chains in flight apart), without notifying.
 */
void virtio_post(struct virtio_queue *queue, u16 first, const struct virtio_buffer *chain, int count);
void virtio_notify(const struct virtio_device *device, const struct virtio_queue *queue);

/* Takes the next used chain, if the device has returned one: its head and the bytes it wrote. */
bool virtio_take_used(struct virtio_queue *queue, u32 *head, u32 *length);

/* Reads InterruptStatus and acknowledges whatever it holds; returns what it held. */
u32 virtio_acknowledge_interrupts(const struct virtio_device *device);

/*
 * Posts one chain of `count` buffers on the driven queue, notifies, waits for it to be
 * used, and checks and acknowledges the used-buffer interrupt. `used_length`
 * gets the bytes the device says it wrote.
 */
const char *virtio_request(struct virtio_device *device, const struct virtio_buffer *chain, int count,
			   u32 *used_length);

/* A 64-bit field of the device config space, read consistently (ConfigGeneration). */
u64 virtio_config_read64(struct virtio_device *device, u32 offset);

/* 8- and 16-bit fields of the config space, read with accesses of their width (§4.2.2.2). */
u8 virtio_config_read8(const struct virtio_device *device, u32 offset);
u16 virtio_config_read16(const struct virtio_device *device, u32 offset);

#endif
