#include "virtio_net.h"
#include "io.h"

#define VIRTIO_NET_F_MAC    (1UL << 5)
#define VIRTIO_NET_F_STATUS (1UL << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define CONFIG_MAC    0
#define CONFIG_STATUS 6

#define RECEIVE_QUEUE  0
#define TRANSMIT_QUEUE 1

/* With VERSION_1 the header always has num_buffers: 12 bytes (virtio 1.2 §5.1.6). */
struct virtio_net_header {
	u8 flags, gso_type;
	u16 header_length, gso_size, csum_start, csum_offset, num_buffers;
};
_Static_assert(sizeof(struct virtio_net_header) == 12, "virtio_net_hdr with num_buffers");

#define MAC_BYTES 6
#define ETHERNET_HEADER 14
#define ETHERTYPE_ARP 0x0806
#define ARP_FRAME_BYTES 60	/* 42 bytes of ARP over Ethernet, padded to the minimum frame */
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define RECEIVE_BUFFERS 4	/* posted at once, one descriptor each */
#define RECEIVE_BYTES 1536	/* a 1514-byte frame after the header */

/*
 * How long to wait for the reply, with no clock of known rate: each poll reads
 * InterruptStatus, an MMIO exit (some 70 µs through minivmm on kvm_pvm, a few µs
 * with hardware support), and the wait lasts at least REPLY_POLLS_MIN polls and
 * REPLY_TSC_CYCLES (1-3 s at usual TSC rates): about 7 s on kvm_pvm, 2 s elsewhere.
 * REPLY_POLLS_MAX bounds it should the TSC not advance.
 */
#define REPLY_POLLS_MIN 100000
#define REPLY_POLLS_MAX 2000000
#define REPLY_TSC_CYCLES 6000000000UL

static const u8 probe_ip[4] = { 192, 0, 2, 2 };	/* TEST-NET-1 (RFC 5737): never a real network */
static const u8 peer_ip[4] = { 192, 0, 2, 1 };

static struct net_buffers {
	struct virtio_net_header transmit_header;
	u8 transmit_frame[ARP_FRAME_BYTES];
	u8 receive[RECEIVE_BUFFERS][RECEIVE_BYTES];
} net_buffers;

static void put16(u8 *at, u16 value)	/* network byte order */
{
	at[0] = value >> 8;
	at[1] = value;
}

static u16 get16(const u8 *at)
{
	return (u16)(at[0] << 8 | at[1]);
}

static bool same(const u8 *a, const u8 *b, int length)
{
	for (int i = 0; i < length; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void copy(u8 *to, const u8 *from, int length)
{
	for (int i = 0; i < length; i++)
		to[i] = from[i];
}

/* "xx:xx:xx:xx:xx:xx" into text[17]. */
static void format_mac(const u8 *mac, char *text)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < MAC_BYTES; i++) {
		text[3 * i] = digits[mac[i] >> 4];
		text[3 * i + 1] = digits[mac[i] & 0xf];
		if (i < MAC_BYTES - 1)
			text[3 * i + 2] = ':';
	}
}

/* Who has 192.0.2.1? Tell 192.0.2.2 (at `mac`): to the broadcast address, zero-padded. */
static void build_arp_request(u8 *frame, const u8 *mac)
{
	for (int i = 0; i < ARP_FRAME_BYTES; i++)
		frame[i] = i < MAC_BYTES ? 0xff : 0;
	copy(frame + 6, mac, MAC_BYTES);
	put16(frame + 12, ETHERTYPE_ARP);
	u8 *arp = frame + ETHERNET_HEADER;
	put16(arp, 1);			/* hardware: Ethernet */
	put16(arp + 2, 0x0800);		/* protocol: IPv4 */
	arp[4] = MAC_BYTES;
	arp[5] = 4;
	put16(arp + 6, ARP_REQUEST);
	copy(arp + 8, mac, MAC_BYTES);	/* sender */
	copy(arp + 14, probe_ip, 4);
	copy(arp + 24, peer_ip, 4);	/* target; its hardware address stays zero */
}

/* Whether `frame` is the reply to our request: to us, from 192.0.2.1, about us. */
static bool is_arp_reply(const u8 *frame, u32 length, const u8 *mac)
{
	const u8 *arp = frame + ETHERNET_HEADER;
	return length >= ETHERNET_HEADER + 28 && same(frame, mac, MAC_BYTES) && get16(frame + 12) == ETHERTYPE_ARP
	       && get16(arp) == 1 && get16(arp + 2) == 0x0800 && arp[4] == MAC_BYTES && arp[5] == 4
	       && get16(arp + 6) == ARP_REPLY && same(arp + 14, peer_ip, 4) && same(arp + 18, mac, MAC_BYTES)
	       && same(arp + 24, probe_ip, 4);
}

static void post_receive_buffer(struct virtio_queue *receive, u16 index)
{
	struct virtio_buffer buffer = { net_buffers.receive[index], RECEIVE_BYTES, true };
	virtio_post(receive, index, &buffer, 1);
}

static const char *net_fail(const struct virtio_device *device, const char *problem)
{
	print("probe: virtio-net@0x%lx NET-FAIL: %s\n", device->base, problem);
	return problem;
}

/* The exchange itself: returns NULL once the reply arrived, and reports it. */
static const char *exchange(struct virtio_device *device, struct virtio_queue *receive, struct virtio_queue *transmit,
			    const u8 *mac)
{
	for (u16 i = 0; i < RECEIVE_BUFFERS; i++)
		post_receive_buffer(receive, i);
	virtio_notify(device, receive);

	build_arp_request(net_buffers.transmit_frame, mac);
	net_buffers.transmit_header = (struct virtio_net_header){ 0 };
	struct virtio_buffer request[] = {
		{ &net_buffers.transmit_header, sizeof(net_buffers.transmit_header), false },
		{ net_buffers.transmit_frame, ARP_FRAME_BYTES, false },
	};
	virtio_post(transmit, 0, request, 2);
	virtio_notify(device, transmit);

	bool sent = false;
	u64 interrupts = 0, other_frames = 0;
	u64 start = rdtsc();
	for (int poll = 0; poll < REPLY_POLLS_MAX && (poll < REPLY_POLLS_MIN || rdtsc() - start < REPLY_TSC_CYCLES); poll++) {
		if (virtio_acknowledge_interrupts(device) & 1)
			interrupts++;
		u32 head, length;
		if (!sent && virtio_take_used(transmit, &head, &length)) {
			if (head != 0)
				return "transmitq used ring names a descriptor that was not posted";
			sent = true;
		}
		while (virtio_take_used(receive, &head, &length)) {
			if (head >= RECEIVE_BUFFERS)
				return "receiveq used ring names a descriptor that was not posted";
			const struct virtio_net_header *header = (const void *)net_buffers.receive[head];
			if (length < sizeof(*header) + ETHERNET_HEADER || length > RECEIVE_BYTES) {
				print("probe: virtio-net@0x%lx received length %lu\n", device->base, (u64)length);
				return "received length outside a header and an Ethernet frame";
			}
			if (header->num_buffers != 1 || header->flags != 0 || header->gso_type != 0)
				return "received header is not flags 0, gso_type 0, num_buffers 1";
			const u8 *frame = (const u8 *)(header + 1);
			if (sent && is_arp_reply(frame, length - sizeof(*header), mac)) {
				char peer_text[17];
				format_mac(frame + ETHERNET_HEADER + 8, peer_text);
				print("probe: virtio-net@0x%lx NET-OK: ARP request sent, reply: 192.0.2.1 is at %.*s"
				      " (%lu other frames, %lu used-buffer interrupts)\n", device->base,
				      (int)sizeof(peer_text), peer_text, other_frames,
				      interrupts + (virtio_acknowledge_interrupts(device) & 1));
				return NULL;
			}
			other_frames++;	/* IPv6 housekeeping and the like: give the buffer back */
			post_receive_buffer(receive, head);
			virtio_notify(device, receive);
		}
	}
	print("probe: virtio-net@0x%lx %s, %lu other frames, %lu used-buffer interrupts\n", device->base,
	      sent ? "request sent" : "request not completed", other_frames, interrupts);
	return sent ? "no ARP reply from 192.0.2.1 in time" : "the transmit request was never used";
}

const char *check_net(struct virtio_device *device, int slot, const struct probe_options *options)
{
	struct virtio_queue receive, transmit;
	const char *problem;
	if ((problem = virtio_negotiate(device, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS))
	    || (problem = virtio_setup_queue(device, &receive, RECEIVE_QUEUE, slot))
	    || (problem = virtio_setup_queue(device, &transmit, TRANSMIT_QUEUE, slot + 1)))
		return net_fail(device, problem);
	virtio_driver_ok(device);
	print("probe: virtio@0x%lx irq %lu: device 1 (network), features 0x%lx, queue sizes %lu and %lu\n",
	      device->base, device->irq, device->features, (u64)receive.size, (u64)transmit.size);
	if (!(device->features & VIRTIO_NET_F_MAC))
		return net_fail(device, "no MAC address (VIRTIO_NET_F_MAC not offered)");
	if (receive.size < RECEIVE_BUFFERS)
		return net_fail(device, "receiveq smaller than the probe's 4 buffers");

	u8 mac[MAC_BYTES];
	char mac_text[17];
	for (int i = 0; i < MAC_BYTES; i++)
		mac[i] = virtio_config_read8(device, CONFIG_MAC + i);
	format_mac(mac, mac_text);
	bool link_up = !(device->features & VIRTIO_NET_F_STATUS)
		       || (virtio_config_read16(device, CONFIG_STATUS) & VIRTIO_NET_S_LINK_UP);
	print("probe: virtio-net@0x%lx mac %.*s, link %s\n", device->base, (int)sizeof(mac_text), mac_text,
	      link_up ? "up" : "down");
	if (mac[0] & 1)
		return net_fail(device, "the MAC address is a multicast address");
	if (!link_up)
		return net_fail(device, "link down");
	if (!options->net_test)
		return NULL;
	problem = exchange(device, &receive, &transmit, mac);
	return problem ? net_fail(device, problem) : NULL;
}
