package org.minivmm.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.SimulatedDriver.Buffer;
import org.minivmm.virtio.net.VirtioNet;

class VirtioNetTest {
    private static final byte[] MAC = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    private static final int HEADER = VirtioNet.HEADER_BYTES;
    private static final long TX_HEADER = 0x8000;
    private static final long TX_FRAME = 0x9000;
    private static final long RX_BUFFER = 0x20000;

    private final MemoryNetBackend backend = new MemoryNetBackend();
    private final VirtioNet net = new VirtioNet(backend, MAC);
    private final SimulatedDriver driver = new SimulatedDriver(net);

    private void setUp() {
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1 | VirtioNet.F_MAC | VirtioNet.F_STATUS));
        driver.setUpQueue(VirtioNet.RECEIVE_QUEUE, 16, 0x1000);
        driver.setUpQueue(VirtioNet.TRANSMIT_QUEUE, 16, 0x3000);
        driver.driverOk();
    }

    /** An Ethernet frame of {@code length} bytes: broadcast, from MAC, ethertype 0x88b5, then a counting payload. */
    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        Arrays.fill(frame, 0, 6, (byte) 0xff);
        System.arraycopy(MAC, 0, frame, 6, 6);
        frame[12] = (byte) 0x88;
        frame[13] = (byte) 0xb5;
        for (int i = 14; i < length; i++) {
            frame[i] = (byte) (seed + i);
        }
        return frame;
    }

    /** Transmits {@code frame} as Linux does: the header in one buffer, the frame in the next. */
    private int transmit(byte[] header, byte[] frame) {
        driver.memory.write(TX_HEADER, header);
        driver.memory.write(TX_FRAME, frame);
        int head = driver.post(VirtioNet.TRANSMIT_QUEUE, List.of(new Buffer(TX_HEADER, header.length, false),
                new Buffer(TX_FRAME, frame.length, false)));
        driver.kick(VirtioNet.TRANSMIT_QUEUE);
        return head;
    }

    private void postReceiveBuffer(long address, int length) {
        driver.post(VirtioNet.RECEIVE_QUEUE, List.of(new Buffer(address, length, true)));
    }

    @Test
    void identityFeaturesAndConfigSpace() {
        assertEquals(1, driver.read(0x008));
        assertEquals(List.of(256, 256), net.queueMaxSizes());
        long offered = driver.deviceFeatures();
        long ringFeatures = VirtioMmio.F_RING_INDIRECT_DESC | VirtioMmio.F_RING_EVENT_IDX;
        assertEquals(VirtioNet.F_MAC | VirtioNet.F_STATUS, offered & 0xffffffffL & ~ringFeatures, "no CSUM, GSO or MRG_RXBUF bits");
        assertTrue((offered & VirtioMmio.F_VERSION_1) != 0);
        byte[] config = new byte[8];
        net.readConfig(0, config);
        assertArrayEquals(MAC, Arrays.copyOf(config, 6));
        assertEquals(1, ByteBuffer.wrap(config).order(ByteOrder.LITTLE_ENDIAN).getShort(6), "status: link up");
        byte[] beyond = new byte[4];
        net.readConfig(6, beyond);
        assertArrayEquals(new byte[] {1, 0, 0, 0}, beyond, "reads past the config space give zeros");
        assertThrows(IllegalArgumentException.class, () -> new VirtioNet(backend, new byte[5]));
    }

    @Test
    void aTransmittedFrameReachesTheBackendWithoutItsHeader() {
        setUp();
        byte[] frame = frame(60, 1);
        int head = transmit(new byte[HEADER], frame);
        assertEquals(1, backend.sent.size());
        assertArrayEquals(frame, backend.sent.get(0));
        assertArrayEquals(new int[] {head, 0}, driver.used(VirtioNet.TRANSMIT_QUEUE, 0), "the device wrote nothing");
        assertTrue(driver.interruptLine);

        // Header and frame in a single buffer, as a driver may also do with VERSION_1 (any layout).
        byte[] second = frame(1514, 2);
        byte[] packet = new byte[HEADER + second.length];
        System.arraycopy(second, 0, packet, HEADER, second.length);
        driver.memory.write(0xa000, packet);
        driver.post(VirtioNet.TRANSMIT_QUEUE, List.of(new Buffer(0xa000, packet.length, false)));
        driver.kick(VirtioNet.TRANSMIT_QUEUE);
        assertArrayEquals(second, backend.sent.get(1));
        assertEquals(new VirtioNet.Counters(2, 0, 0, 0), net.counters());
    }

    @Test
    void malformedTransmitRequestsAreDroppedAndTheDeviceGoesOn() {
        setUp();
        byte[] needsChecksum = new byte[HEADER];
        needsChecksum[0] = 1; // VIRTIO_NET_HDR_F_NEEDS_CSUM without CSUM negotiated
        byte[] segmented = new byte[HEADER];
        segmented[1] = 1; // GSO_TCPV4 without HOST_TSO4
        transmit(needsChecksum, frame(60, 0));
        transmit(segmented, frame(60, 0));
        transmit(new byte[HEADER], new byte[13]); // shorter than an Ethernet header
        transmit(new byte[4], new byte[0]); // shorter than the virtio header
        transmit(new byte[HEADER], frame(VirtioNet.MAX_FRAME_BYTES + 1, 0));
        // A transmit chain with a device-writable buffer.
        driver.post(VirtioNet.TRANSMIT_QUEUE, List.of(new Buffer(TX_HEADER, HEADER, false), new Buffer(TX_FRAME, 60, true)));
        driver.kick(VirtioNet.TRANSMIT_QUEUE);
        assertEquals(6, driver.usedIndex(VirtioNet.TRANSMIT_QUEUE), "every request completes");
        for (int i = 0; i < 6; i++) {
            assertEquals(0, driver.used(VirtioNet.TRANSMIT_QUEUE, i)[1]);
        }
        assertTrue(backend.sent.isEmpty());
        assertFalse(driver.needsReset(), "bad frames are the guest's problem, not a broken device");

        byte[] largest = frame(VirtioNet.MAX_FRAME_BYTES, 3);
        transmit(new byte[HEADER], largest);
        assertArrayEquals(largest, backend.sent.get(0), "the largest legal frame still goes out");
        assertEquals(new VirtioNet.Counters(1, 6, 0, 0), net.counters());
    }

    @Test
    void aBackendThatDropsFramesDoesNotHoldUpTheGuest() {
        setUp();
        backend.refuseSends = true;
        transmit(new byte[HEADER], frame(60, 0));
        assertEquals(1, driver.usedIndex(VirtioNet.TRANSMIT_QUEUE));
        assertEquals(new VirtioNet.Counters(0, 1, 0, 0), net.counters());
    }

    @Test
    void aReceivedFrameFillsOneBufferAfterAHeaderWithNumBuffersOne() {
        setUp();
        byte[] frame = frame(98, 7);
        backend.waiting.add(frame);
        postReceiveBuffer(RX_BUFFER, HEADER + 1514);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(1, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertEquals(HEADER + frame.length, driver.used(VirtioNet.RECEIVE_QUEUE, 0)[1]);
        byte[] header = driver.memory.read(RX_BUFFER, HEADER);
        byte[] expectedHeader = new byte[HEADER];
        expectedHeader[10] = 1;
        assertArrayEquals(expectedHeader, header, "flags, gso_type and the rest zero; num_buffers 1");
        assertArrayEquals(frame, driver.memory.read(RX_BUFFER + HEADER, frame.length));
        assertTrue(driver.interruptLine);
        assertEquals(new VirtioNet.Counters(0, 0, 1, 0), net.counters());
    }

    @Test
    void aFrameMaySpanTheBuffersOfOneChain() {
        setUp();
        byte[] frame = frame(200, 9);
        backend.waiting.add(frame);
        driver.post(VirtioNet.RECEIVE_QUEUE, List.of(new Buffer(RX_BUFFER, HEADER, true), new Buffer(RX_BUFFER + 0x1000, 100, true),
                new Buffer(RX_BUFFER + 0x2000, 1500, true)));
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(HEADER + 200, driver.used(VirtioNet.RECEIVE_QUEUE, 0)[1]);
        byte[] got = new byte[200];
        System.arraycopy(driver.memory.read(RX_BUFFER + 0x1000, 100), 0, got, 0, 100);
        System.arraycopy(driver.memory.read(RX_BUFFER + 0x2000, 100), 0, got, 100, 100);
        assertArrayEquals(frame, got);
    }

    @Test
    void withoutReceiveBuffersFramesWaitInTheBackendUntilTheGuestPostsSome() {
        setUp();
        byte[] first = frame(60, 1);
        byte[] second = frame(70, 2);
        backend.waiting.add(first);
        backend.waiting.add(second);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(0, backend.receiveCalls, "no buffer: the device does not even ask");
        assertEquals(2, backend.waiting.size());
        assertFalse(net.wantsFrames(), "nothing to fill: the VMM need not watch the backend");

        postReceiveBuffer(RX_BUFFER, 2048);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(1, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertArrayEquals(first, driver.memory.read(RX_BUFFER + HEADER, first.length));
        assertEquals(1, backend.waiting.size(), "the second frame stays in the backend, not in the VMM");
        assertFalse(net.wantsFrames());

        postReceiveBuffer(RX_BUFFER + 0x1000, 2048);
        postReceiveBuffer(RX_BUFFER + 0x2000, 2048);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(2, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertArrayEquals(second, driver.memory.read(RX_BUFFER + 0x1000 + HEADER, second.length));
        assertTrue(net.wantsFrames(), "a buffer waits for a frame: now the backend is worth watching");

        // The VMM sees the backend readable and has the receive queue served, with no kick from the guest.
        byte[] third = frame(80, 3);
        backend.waiting.add(third);
        int raisesBefore = driver.interruptRaises;
        driver.acknowledgeInterrupts();
        driver.transport.queueNotified(VirtioNet.RECEIVE_QUEUE);
        assertEquals(3, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertArrayEquals(new int[] {2, HEADER + 80}, driver.used(VirtioNet.RECEIVE_QUEUE, 2));
        assertArrayEquals(third, driver.memory.read(RX_BUFFER + 0x2000 + HEADER, third.length));
        assertEquals(raisesBefore + 1, driver.interruptRaises, "the delivery interrupts the guest");
        assertFalse(net.wantsFrames());
    }

    @Test
    void aFrameTooLargeForTheBufferIsDroppedAndTheBufferTakesTheNextOne() {
        setUp();
        byte[] large = frame(500, 1);
        byte[] small = frame(60, 2);
        backend.waiting.add(large);
        backend.waiting.add(small);
        postReceiveBuffer(RX_BUFFER, HEADER + 100);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(1, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertEquals(HEADER + 60, driver.used(VirtioNet.RECEIVE_QUEUE, 0)[1]);
        assertArrayEquals(small, driver.memory.read(RX_BUFFER + HEADER, small.length));
        assertEquals(new VirtioNet.Counters(0, 0, 1, 1), net.counters());
        assertFalse(driver.needsReset());
    }

    @Test
    void buffersThatCannotHoldAFrameAreReturnedEmpty() {
        setUp();
        backend.waiting.add(frame(60, 1));
        driver.post(VirtioNet.RECEIVE_QUEUE, List.of(new Buffer(RX_BUFFER, 20, true))); // less than header + Ethernet header
        driver.post(VirtioNet.RECEIVE_QUEUE, List.of(new Buffer(RX_BUFFER, 16, false), new Buffer(RX_BUFFER + 0x1000, 2048, true)));
        postReceiveBuffer(RX_BUFFER + 0x2000, 2048);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertEquals(3, driver.usedIndex(VirtioNet.RECEIVE_QUEUE));
        assertEquals(0, driver.used(VirtioNet.RECEIVE_QUEUE, 0)[1]);
        assertEquals(0, driver.used(VirtioNet.RECEIVE_QUEUE, 1)[1]);
        assertEquals(HEADER + 60, driver.used(VirtioNet.RECEIVE_QUEUE, 2)[1]);
        assertFalse(driver.needsReset());
    }

    /** Sets up, posts one receive buffer with no frame waiting: the device holds it and wants frames. */
    private void holdOneReceiveBuffer() {
        setUp();
        postReceiveBuffer(RX_BUFFER, 2048);
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertTrue(net.wantsFrames());
    }

    @Test
    void aBackendThatFailsIsNoLongerAskedSoNothingSpins() {
        holdOneReceiveBuffer();
        backend.broken = true;
        driver.transport.queueNotified(VirtioNet.RECEIVE_QUEUE);
        assertFalse(net.wantsFrames());
        int calls = backend.receiveCalls;
        driver.transport.queueNotified(VirtioNet.RECEIVE_QUEUE);
        assertEquals(calls, backend.receiveCalls);
        transmit(new byte[HEADER], frame(60, 0));
        assertEquals(new VirtioNet.Counters(0, 1, 0, 0), net.counters(), "transmits complete, dropped");
        assertFalse(driver.needsReset());
    }

    @Test
    void resetForgetsTheWaitingBuffer() {
        holdOneReceiveBuffer();
        driver.write(0x070, 0);
        assertFalse(net.wantsFrames(), "after a reset the old ring is not the device's any more");
    }

    @Test
    void aReceiveBufferInMemoryTheDeviceCannotWriteResetsTheDeviceAndIsNotKept() {
        ByteBuffer readOnly = ByteBuffer.allocateDirect(0x10000).asReadOnlyBuffer();
        GuestMemory memory = GuestMemory.of(List.of(new GuestMemory.Region(0, ByteBuffer.allocateDirect(1 << 20)),
                new GuestMemory.Region(1 << 20, readOnly)));
        SimulatedDriver driver = new SimulatedDriver(net, memory);
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(VirtioNet.RECEIVE_QUEUE, 16, 0x1000);
        driver.setUpQueue(VirtioNet.TRANSMIT_QUEUE, 16, 0x3000);
        driver.driverOk();
        backend.waiting.add(frame(60, 1));
        driver.post(VirtioNet.RECEIVE_QUEUE, List.of(new Buffer(1 << 20, 2048, true)));
        driver.kick(VirtioNet.RECEIVE_QUEUE);
        assertTrue(driver.needsReset());
        assertFalse(net.wantsFrames(), "a device in NEEDS_RESET must not have the VMM watch its backend");
    }
}
