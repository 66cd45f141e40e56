package org.minivmm.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.virtio.SimulatedDriver.Buffer;
import org.minivmm.virtio.console.VirtioConsole;

class VirtioConsoleTest {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final VirtioConsole console = new VirtioConsole(output);
    private final SimulatedDriver driver = new SimulatedDriver(console);

    private void setUp() {
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 16, 0x1000);
        driver.setUpQueue(1, 16, 0x3000);
        driver.driverOk();
    }

    @Test
    void whatTheGuestTransmitsReachesTheOutputInOrder() {
        setUp();
        driver.memory.write(0x8000, "hello ".getBytes(StandardCharsets.US_ASCII));
        driver.memory.write(0x9000, "console\n".getBytes(StandardCharsets.US_ASCII));
        driver.post(1, List.of(new Buffer(0x8000, 6, false), new Buffer(0x9000, 8, false)));
        driver.kick(1);
        assertEquals("hello console\n", output.toString(StandardCharsets.US_ASCII));
        assertEquals(1, driver.usedIndex(1));
        assertTrue(driver.interruptLine);
    }

    @Test
    void hostInputWaitsForTheGuestsBuffersAndIsSplitAcrossThem() throws Exception {
        setUp();
        console.receive("abcdef".getBytes(StandardCharsets.US_ASCII), 6);
        driver.kick(0);
        assertEquals(0, driver.usedIndex(0), "no receive buffer yet: the input waits");
        driver.post(0, List.of(new Buffer(0xa000, 4, true)));
        driver.post(0, List.of(new Buffer(0xb000, 4, true)));
        driver.kick(0);
        assertEquals(2, driver.usedIndex(0));
        assertArrayEquals(new int[] {0, 4}, driver.used(0, 0));
        assertEquals("abcd", new String(driver.memory.read(0xa000, 4), StandardCharsets.US_ASCII));
        assertEquals(2, driver.used(0, 1)[1]);
        assertEquals("ef", new String(driver.memory.read(0xb000, 2), StandardCharsets.US_ASCII));
    }

    @Test
    void queueSizesAndIdentity() {
        assertEquals(3, driver.read(0x008));
        assertEquals(List.of(256, 256), console.queueMaxSizes());
    }
}
