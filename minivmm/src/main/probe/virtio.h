/*
 * A minimal virtio-mmio driver (register layout version 2, virtio 1.2 §4.2.2):
 * queue 0 only, one request in flight, completion polled, since the probe runs
 * with interrupts off. Every register access is an MMIO exit, so there are few.
 */
#ifndef PROBE_VIRTIO_H
#define PROBE_VIRTIO_H

#include "types.h"

#define VIRTIO_MAX_DEVICES 4	/* devices the probe drives; one queue area each */

#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_ENTROPY 4
#define VIRTIO_ID_PMEM    27

struct virtio_queue_memory;

struct virtio_device {
	volatile u32 *registers;	/* the MMIO window, identity-mapped */
	u64 base;
	u64 irq;			/* from the command line; only reported */
	u32 id;				/* virtio device id; 0 = no device behind the transport */
	u64 features;			/* what the device offers, both halves */
	u32 queue_index;		/* the one queue the probe drives: 0, or 1 for the console's transmitq */
	u16 queue_size;
	u16 posted;			/* requests made available: our copy of avail->idx */
	u16 completed;			/* requests seen used: our copy of used->idx */
	struct virtio_queue_memory *queue;
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
 * area `slot` (< VIRTIO_MAX_DEVICES, a different one per device), DRIVER_OK.
 * The device's other queues stay unconfigured, which the spec allows.
 */
const char *virtio_setup(struct virtio_device *device, int slot, u32 queue);

/*
 * Posts one chain of `count` buffers on the driven queue, notifies, waits for it to be
 * used, and checks and acknowledges the used-buffer interrupt. `used_length`
 * gets the bytes the device says it wrote.
 */
const char *virtio_request(struct virtio_device *device, const struct virtio_buffer *chain, int count,
			   u32 *used_length);

/* A 64-bit field of the device config space, read consistently (ConfigGeneration). */
u64 virtio_config_read64(struct virtio_device *device, u32 offset);

#endif
