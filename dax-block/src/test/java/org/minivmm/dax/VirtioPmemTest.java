package org.minivmm.dax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.virtio.SimulatedDriver;
import org.minivmm.virtio.VirtioMmio;

class VirtioPmemTest {
    @Test
    void configCarriesTheRegionAndAFlushCompletesWithSuccess() {
        SimulatedDriver driver = new SimulatedDriver(new VirtioPmem(0x1_0000_0000L, 0x800_0000L));
        assertEquals(27, driver.read(0x008));
        assertEquals(0, driver.read(0x100));
        assertEquals(1, driver.read(0x104), "start, high word");
        assertEquals(0x800_0000, driver.read(0x108), "size, low word");
        assertTrue(driver.negotiate(VirtioMmio.F_VERSION_1));
        driver.setUpQueue(0, 16, 0x1000);
        driver.driverOk();
        driver.memory.writeInt(0x8000, 0); // VIRTIO_PMEM_REQ_TYPE_FLUSH
        driver.memory.writeInt(0x9000, 0x7f);
        driver.post(0, List.of(new SimulatedDriver.Buffer(0x8000, 4, false), new SimulatedDriver.Buffer(0x9000, 4, true)));
        driver.kick(0);
        assertEquals(1, driver.usedIndex(0));
        assertEquals(0, driver.memory.readInt(0x9000), "ret 0: flushed");
        driver.memory.writeInt(0x8000, 5);
        driver.post(0, List.of(new SimulatedDriver.Buffer(0x8000, 4, false), new SimulatedDriver.Buffer(0x9000, 4, true)));
        driver.kick(0);
        assertEquals(1, driver.memory.readInt(0x9000), "an unknown request type fails");
    }
}
