package org.minivmm.virtio.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.Virtqueue;
import org.minivmm.virtio.VirtqueueException;

/**
 * The network device (id 1, virtio 1.2, 5.1) with one queue pair: receiveq 0 and transmitq 1. It offers
 * MAC (the config space holds the guest's address) and STATUS (the link is always up), and nothing
 * else: no checksum offload (CSUM, GUEST_CSUM), no segmentation offload (TSO, UFO, USO), no mergeable
 * receive buffers, no control queue. So every frame is whole and fully checksummed in both directions,
 * and the 12-byte virtio_net_hdr (VERSION_1 always has num_buffers) carries nothing: the device writes
 * it as zeros with num_buffers = 1, and drops a transmitted frame whose header asks for an offload.
 *
 * <p>Frames go to and come from a {@link NetBackend}. A received frame waits in the backend until the
 * guest has posted a receive buffer, so nothing is queued in the VMM: while the guest has none, the
 * VMM stops asking (see {@link #wantsFrames}), and the guest's next kick on the receive queue resumes
 * delivery. A frame that does not fit the buffer, or a malformed request, is dropped and counted; the
 * device never stops for either.
 */
public final class VirtioNet implements VirtioDevice, AutoCloseable {
    public static final int DEVICE_ID = 1;
    public static final int RECEIVE_QUEUE = 0;
    public static final int TRANSMIT_QUEUE = 1;
    public static final long F_MAC = 1L << 5;
    public static final long F_STATUS = 1L << 16;
    /** struct virtio_net_hdr with num_buffers: its size whenever VERSION_1 is negotiated, which the transport requires. */
    public static final int HEADER_BYTES = 12;
    /** The largest frame: a 65535-byte packet with its Ethernet header (the spec's 65562-byte buffer less the header). */
    public static final int MAX_FRAME_BYTES = 65550;
    public static final int MAC_BYTES = 6;

    static final int ETHERNET_HEADER_BYTES = 14;
    static final int S_LINK_UP = 1;
    static final int HDR_F_NEEDS_CSUM = 1;
    static final int HDR_NUM_BUFFERS = 10;
    private static final int QUEUE_SIZE = 256;

    /** Frames and drops so far, for tests and the VMM's log. */
    public record Counters(long transmitted, long transmitDropped, long received, long receiveDropped) {
    }

    private final NetBackend backend;
    private final byte[] mac;
    private final byte[] frame = new byte[MAX_FRAME_BYTES];
    private GuestMemory memory;
    private List<Virtqueue> queues;
    /** A receive buffer taken from the ring that waits for the next frame; at most one. */
    private DescriptorChain waitingBuffer;
    private boolean backendGone;
    private long transmitted;
    private long transmitDropped;
    private long received;
    private long receiveDropped;

    public VirtioNet(NetBackend backend, byte[] mac) {
        if (mac.length != MAC_BYTES) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + mac.length);
        }
        this.backend = backend;
        this.mac = mac.clone();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long deviceFeatures() {
        return F_MAC | F_STATUS;
    }

    @Override
    public List<Integer> queueMaxSizes() {
        return List.of(QUEUE_SIZE, QUEUE_SIZE);
    }

    /** Config space: mac[6] at 0, status (u16) at 6; max_virtqueue_pairs and the rest need features not offered. */
    @Override
    public void readConfig(int offset, byte[] data) {
        ByteBuffer config = ByteBuffer.allocate(MAC_BYTES + 2).order(ByteOrder.LITTLE_ENDIAN)
                .put(mac).putShort((short) S_LINK_UP);
        VirtioDevice.readConfigFrom(config, offset, data);
    }

    @Override
    public synchronized void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        this.memory = memory;
        this.queues = queues;
    }

    @Override
    public synchronized boolean process(int queue) throws VirtqueueException {
        return queue == TRANSMIT_QUEUE ? transmit(queues.get(TRANSMIT_QUEUE)) : deliver(queues.get(RECEIVE_QUEUE));
    }

    /**
     * Whether the device holds a receive buffer and waits for a frame: only then is it worth watching the
     * backend. Otherwise the guest's next receive-queue kick restarts delivery.
     */
    public synchronized boolean wantsFrames() {
        return waitingBuffer != null && !backendGone;
    }

    public synchronized Counters counters() {
        return new Counters(transmitted, transmitDropped, received, receiveDropped);
    }

    private boolean transmit(Virtqueue transmit) throws VirtqueueException {
        boolean used = false;
        for (DescriptorChain chain; (chain = transmit.pop()) != null; used = true) {
            if (send(chain)) {
                transmitted++;
            } else {
                transmitDropped++;
            }
            transmit.addUsed(chain.head(), 0); // the device writes nothing into a transmit request
        }
        return used;
    }

    /**
     * A transmit request is device-readable only: the header, then one frame from its Ethernet header
     * on, at most {@link #MAX_FRAME_BYTES}. Anything else is dropped.
     */
    private boolean send(DescriptorChain chain) {
        long length = chain.readableLength();
        if (!chain.writable().isEmpty() || length < HEADER_BYTES + ETHERNET_HEADER_BYTES
                || length > HEADER_BYTES + MAX_FRAME_BYTES || backendGone) {
            return false;
        }
        byte[] packet = chain.read(memory, (int) length);
        int gsoType = packet[1];
        if ((packet[0] & HDR_F_NEEDS_CSUM) != 0 || gsoType != 0) {
            return false; // a checksum or segmentation offload that was never offered
        }
        try {
            return backend.send(packet, HEADER_BYTES, packet.length - HEADER_BYTES);
        } catch (IOException e) {
            return false;
        }
    }

    /** Fills the guest's receive buffers with waiting frames, one frame per buffer, until either runs out. */
    private boolean deliver(Virtqueue receive) throws VirtqueueException {
        boolean used = false;
        while (!backendGone) {
            if (waitingBuffer == null) {
                DescriptorChain chain = receive.pop();
                if (chain == null) {
                    break; // no buffers: frames wait in the backend until the guest posts some and kicks
                }
                if (!chain.readable().isEmpty() || chain.writableLength() < HEADER_BYTES + ETHERNET_HEADER_BYTES) {
                    receive.addUsed(chain.head(), 0); // not a receive buffer: give it back empty
                    used = true;
                    continue;
                }
                waitingBuffer = chain;
            }
            int length = nextFrame();
            if (length < 0) {
                break; // keep the buffer for the next frame
            }
            if (length < ETHERNET_HEADER_BYTES || length > MAX_FRAME_BYTES
                    || HEADER_BYTES + length > waitingBuffer.writableLength()) {
                receiveDropped++; // the buffer stays for the next frame
                continue;
            }
            byte[] packet = new byte[HEADER_BYTES + length];
            packet[HDR_NUM_BUFFERS] = 1;
            System.arraycopy(frame, 0, packet, HEADER_BYTES, length);
            DescriptorChain chain = waitingBuffer;
            waitingBuffer = null; // before the write: a buffer in memory the device cannot write is not kept
            receive.addUsed(chain.head(), chain.write(memory, 0, packet));
            received++;
            used = true;
        }
        return used;
    }

    private int nextFrame() {
        try {
            return backend.receive(frame);
        } catch (IOException e) {
            backendGone = true;
            return -1;
        }
    }

    @Override
    public synchronized void reset() {
        memory = null;
        queues = null;
        waitingBuffer = null;
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
