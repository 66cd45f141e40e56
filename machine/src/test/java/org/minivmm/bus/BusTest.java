package org.minivmm.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusTest {
    /** Records every access and answers reads with the offset it was asked for. */
    private static final class Recorder implements BusDevice {
        final List<String> accesses = new ArrayList<>();

        @Override
        public void read(long offset, byte[] data) {
            accesses.add("r" + offset + "/" + data.length);
            data[0] = (byte) offset;
        }

        @Override
        public void write(long offset, byte[] data) {
            accesses.add("w" + offset + "=" + data[0]);
        }
    }

    @Test
    void accessesReachTheDeviceWithOffsetsRelativeToItsBase() {
        Bus bus = new Bus("pio");
        Recorder serial = new Recorder();
        bus.register(0x3f8, 8, "serial", serial);
        byte[] data = new byte[1];
        assertTrue(bus.read(0x3fd, data));
        assertEquals(5, data[0]);
        assertTrue(bus.write(0x3f8, new byte[] {42}));
        assertEquals(List.of("r5/1", "w0=42"), serial.accesses);
    }

    @Test
    void nothingThereReadsAllOnesAndDropsWrites() {
        Bus bus = new Bus("pio");
        bus.register(0x60, 1, "i8042", new Recorder());
        byte[] data = new byte[2];
        assertFalse(bus.read(0x61, data));
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff}, data);
        assertFalse(bus.write(0x502, new byte[] {1}));
        assertFalse(bus.read(0x60, new byte[2]), "an access running past the window's end is not the device's");
    }

    @Test
    void overlappingWindowsAreRefusedNamingBoth() {
        Bus bus = new Bus("mmio");
        bus.register(0x1000, 0x200, "virtio-blk", new Recorder());
        IllegalStateException below = assertThrows(IllegalStateException.class,
                () -> bus.register(0xf00, 0x101, "virtio-net", new Recorder()));
        assertTrue(below.getMessage().contains("virtio-net") && below.getMessage().contains("virtio-blk"), below.getMessage());
        assertThrows(IllegalStateException.class, () -> bus.register(0x11ff, 1, "rng", new Recorder()));
        bus.register(0x1200, 0x200, "adjacent", new Recorder());
        assertThrows(IllegalArgumentException.class, () -> bus.register(0x5000, 0, "empty", new Recorder()));
    }
}
