/* The network device check: an ARP request out, the reply back. */
#ifndef PROBE_VIRTIO_NET_H
#define PROBE_VIRTIO_NET_H

#include "options.h"
#include "virtio.h"

#define NET_QUEUE_AREAS 2	/* receiveq and transmitq */

/*
 * Sets up the device's two queues in queue areas `slot` and `slot` + 1 and reads
 * its MAC address and link status. With net-test it sends an ARP request, "who
 * has 192.0.2.1? tell 192.0.2.2", and waits a bounded time for the reply, other
 * frames being ignored; the report then says NET-OK or NET-FAIL.
 */
const char *check_net(struct virtio_device *device, int slot, const struct probe_options *options);

#endif
