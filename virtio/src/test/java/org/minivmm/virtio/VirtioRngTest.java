package org.minivmm.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.virtio.SimulatedDriver.Buffer;
import org.minivmm.virtio.rng.VirtioRng;

/** The transport and the entropy device, driven end to end by the simulated driver. */
class VirtioRngTest {
    private static final long ALL = VirtioMmio.F_VERSION_1 | VirtioMmio.F_RING_INDIRECT_DESC | VirtioMmio.F_RING_EVENT_IDX;

    /** A predictable "entropy" source: 0, 1, 2, ... so the test can tell which bytes landed where. */
    private static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    private final SimulatedDriver driver = new SimulatedDriver(new VirtioRng(() -> new ByteArrayInputStream(counting(1 << 16))));

    private void setUp(long features) {
        assertTrue(driver.negotiate(features));
        driver.setUpQueue(0, 16, 0x1000);
        driver.driverOk();
    }

    @Test
    void identifiesItselfAsAVersion2MmioEntropyDevice() {
        assertEquals(0x74726976, driver.read(0x000));
        assertEquals(2, driver.read(0x004));
        assertEquals(4, driver.read(0x008));
        assertEquals(256, driver.read(0x034), "QueueNumMax of queue 0");
        long features = driver.deviceFeatures();
        assertEquals(ALL, features & ALL);
    }

    @Test
    void fillsTheGuestsBufferAndInterrupts() {
        setUp(VirtioMmio.F_VERSION_1);
        int head = driver.post(0, List.of(new Buffer(0x8000, 64, true)));
        driver.kick(0);
        assertEquals(1, driver.usedIndex(0));
        assertArrayEquals(new int[] {head, 64}, driver.used(0, 0));
        assertArrayEquals(counting(64), driver.memory.read(0x8000, 64));
        assertTrue(driver.interruptLine);
        assertEquals(1, driver.read(0x060), "InterruptStatus: used buffer");
        driver.acknowledgeInterrupts();
        assertFalse(driver.interruptLine);
    }

    @Test
    void aChainOfSeveralBuffersAndAnIndirectTableAreBothFilledInOrder() {
        setUp(VirtioMmio.F_VERSION_1 | VirtioMmio.F_RING_INDIRECT_DESC);
        driver.post(0, List.of(new Buffer(0x8000, 10, true), new Buffer(0x9000, 6, true)));
        driver.postIndirect(0, 0x6000, List.of(new Buffer(0xa000, 4, true), new Buffer(0xb000, 4, true)));
        driver.kick(0);
        assertEquals(2, driver.usedIndex(0));
        assertArrayEquals(Arrays.copyOfRange(counting(16), 0, 10), driver.memory.read(0x8000, 10));
        assertArrayEquals(Arrays.copyOfRange(counting(16), 10, 16), driver.memory.read(0x9000, 6));
        assertEquals(8, driver.used(0, 1)[1]);
        assertArrayEquals(Arrays.copyOfRange(counting(24), 16, 20), driver.memory.read(0xa000, 4));
    }

    @Test
    void indirectDescriptorsAreRefusedUnlessNegotiated() {
        setUp(VirtioMmio.F_VERSION_1);
        driver.postIndirect(0, 0x6000, List.of(new Buffer(0xa000, 4, true)));
        driver.kick(0);
        assertTrue(driver.needsReset());
        assertTrue(driver.transport.problem().contains("indirect"), driver.transport.problem());
        assertEquals(2, driver.read(0x060) & 2, "a config-change interrupt tells the driver");
    }

    @Test
    void eventIdxSuppressesInterruptsUntilTheUsedEventIsPassed() {
        setUp(VirtioMmio.F_VERSION_1 | VirtioMmio.F_RING_EVENT_IDX);
        driver.setUsedEvent(0, 1); // interrupt once the second buffer is used
        driver.post(0, List.of(new Buffer(0x8000, 8, true)));
        driver.kick(0);
        assertEquals(1, driver.usedIndex(0));
        assertFalse(driver.interruptLine, "used index 1 has not passed used_event 1");
        driver.post(0, List.of(new Buffer(0x8100, 8, true)));
        driver.kick(0);
        assertTrue(driver.interruptLine);
    }

    @Test
    void featuresWithoutVersion1OrUnknownBitsAreNotAccepted() {
        assertFalse(driver.negotiate(0), "a legacy driver without VIRTIO_F_VERSION_1");
        assertFalse(driver.negotiate(VirtioMmio.F_VERSION_1 | 1L << 40), "a feature the device never offered");
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
    }

    @Test
    void aQueueTheDriverLeftUnconfiguredIsSimplyUnused() {
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.driverOk();
        assertFalse(driver.needsReset(), "the spec lets a driver set up only the queues it uses");
        driver.kick(0);
        assertFalse(driver.needsReset(), "a kick on an unconfigured queue is ignored");
        assertEquals(0, driver.read(0x060), "and raises no interrupt");
    }

    @Test
    void aQueueLargerThanItsMaximumNeedsReset() {
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 512, 0x1000);
        driver.driverOk();
        assertTrue(driver.needsReset(), "512 exceeds QueueNumMax 256");
    }

    @Test
    void ringsOutsideGuestMemoryNeedReset() {
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 16, SimulatedDriver.MEMORY_BYTES - 64);
        driver.driverOk();
        assertTrue(driver.needsReset());
        assertTrue(driver.transport.problem().contains("outside guest memory"), driver.transport.problem());
    }
}
