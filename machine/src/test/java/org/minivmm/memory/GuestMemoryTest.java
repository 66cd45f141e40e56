package org.minivmm.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private static final long HIGH = 0x1_0000_0000L;

    // Two regions with a hole between them, like RAM below and above the 32-bit MMIO hole.
    private final ByteBuffer low = ByteBuffer.allocateDirect(0x2000);
    private final ByteBuffer high = ByteBuffer.allocateDirect(0x1000);
    private final GuestMemory memory = GuestMemory.of(List.of(
            new GuestMemory.Region(HIGH, high), new GuestMemory.Region(0, low)));

    @Test
    void scalarsAreLittleEndianAndLandAtTheirAddress() {
        memory.writeLong(0x10, 0x0102030405060708L);
        assertEquals(0x08, low.get(0x10));
        assertEquals(0x01, low.get(0x17));
        assertEquals(0x0102030405060708L, memory.readLong(0x10));
        memory.writeInt(HIGH + 4, 0xcafef00d);
        assertEquals(0xcafef00d, memory.readInt(HIGH + 4));
        assertEquals((short) 0xf00d, memory.readShort(HIGH + 4));
        assertEquals((byte) 0x0d, memory.readByte(HIGH + 4));
    }

    @Test
    void bulkCopiesRoundTrip() {
        byte[] data = new byte[300];
        new Random(1).nextBytes(data);
        memory.write(0x1f00, data, 0, 256);
        assertArrayEquals(java.util.Arrays.copyOf(data, 256), memory.read(0x1f00, 256));
    }

    @Test
    void rangesThatLeaveARegionAreRefused() {
        assertFalse(memory.contains(0x1ff8, 16));
        assertThrows(GuestMemoryException.class, () -> memory.readLong(0x1ffc));
        assertThrows(GuestMemoryException.class, () -> memory.read(0x1000, 0x1001 + 0x1000));
        assertThrows(GuestMemoryException.class, () -> memory.writeByte(0x2000, (byte) 1));
        assertThrows(GuestMemoryException.class, () -> memory.slices(HIGH + 0xff0, 0x20));
        assertThrows(GuestMemoryException.class, () -> memory.readInt(-4));
        assertThrows(GuestMemoryException.class, () -> memory.read(Long.MAX_VALUE - 2, 8));
    }

    @Test
    void adjacentRegionsServeOneAccessAcrossTheirBoundary() {
        GuestMemory split = GuestMemory.of(List.of(
                new GuestMemory.Region(0, ByteBuffer.allocateDirect(16)),
                new GuestMemory.Region(16, ByteBuffer.allocateDirect(16))));
        byte[] data = new byte[8];
        new Random(2).nextBytes(data);
        split.write(12, data);
        assertTrue(split.contains(0, 32));
        assertArrayEquals(data, split.read(12, 8));
    }

    @Test
    void slicesSplitAtRegionBoundariesAndStayZeroCopy() {
        GuestMemory split = GuestMemory.of(List.of(
                new GuestMemory.Region(0, ByteBuffer.allocateDirect(16)),
                new GuestMemory.Region(16, ByteBuffer.allocateDirect(16))));
        List<ByteBuffer> views = split.slices(12, 8);
        assertEquals(2, views.size());
        assertEquals(4, views.get(0).capacity());
        assertEquals(4, views.get(1).capacity());
        views.get(1).put(0, (byte) 9);
        assertEquals(9, split.readByte(16));
        assertThrows(GuestMemoryException.class, () -> split.slices(30, 4));
    }

    @Test
    void aReadOnlyRegionRefusesEveryWriteButReads() {
        ByteBuffer image = ByteBuffer.allocateDirect(0x1000);
        image.put(0, (byte) 7);
        GuestMemory withImage = GuestMemory.of(List.of(new GuestMemory.Region(0, ByteBuffer.allocateDirect(0x1000)),
                new GuestMemory.Region(0x1000, image.asReadOnlyBuffer())));
        assertEquals(7, withImage.readByte(0x1000));
        assertThrows(GuestMemoryException.class, () -> withImage.writeByte(0x1000, (byte) 1));
        assertThrows(GuestMemoryException.class, () -> withImage.writeLong(0x1ff8, 1));
        assertThrows(GuestMemoryException.class, () -> withImage.write(0xff0, new byte[32]), "a copy reaching into it");
        assertThrows(GuestMemoryException.class, () -> withImage.writableSlices(0x800, 0x1000));
        assertEquals(0, withImage.readByte(0xff0), "a refused copy wrote nothing, not even its writable part");
        assertEquals(2, withImage.slices(0x800, 0x1000).size(), "reading it through views is fine");
        withImage.write(0x10, new byte[] {1});
        assertEquals(1, withImage.writableSlices(0, 0x100).size());
    }

    @Test
    void slicesAreZeroCopyViews() {
        ByteBuffer view = memory.slices(0x100, 8).get(0);
        view.putInt(0, 0x11223344);
        assertEquals(0x11223344, memory.readInt(0x100));
    }

    @Test
    void zeroClearsExactlyTheRange() {
        memory.write(0x200, new byte[] {1, 2, 3, 4, 5});
        memory.zero(0x201, 3);
        assertArrayEquals(new byte[] {1, 0, 0, 0, 5}, memory.read(0x200, 5));
    }

    @Test
    void overlappingRegionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GuestMemory.of(List.of(
                new GuestMemory.Region(0, ByteBuffer.allocateDirect(0x1000)),
                new GuestMemory.Region(0x800, ByteBuffer.allocateDirect(0x1000)))));
    }

    @Test
    void randomHostileAddressesNeverReachOutsideTheRegions() {
        Random random = new Random(0x5eed);
        for (int i = 0; i < 20_000; i++) {
            long address = switch (random.nextInt(4)) {
                case 0 -> random.nextLong();
                case 1 -> random.nextInt(0x3000) - 0x800;
                case 2 -> HIGH + random.nextInt(0x1800) - 0x400;
                default -> Long.MAX_VALUE - random.nextInt(64);
            };
            int length = random.nextInt(0x1200);
            boolean inside = insideModel(address, length);
            assertEquals(inside, memory.contains(address, length), () -> "contains " + address + "+" + length);
            if (inside) {
                memory.read(address, length);
            } else {
                assertThrows(GuestMemoryException.class, () -> memory.read(address, length));
            }
        }
    }

    private static boolean insideModel(long address, long length) {
        if (address < 0 || address + length < address) {
            return false;
        }
        return length == 0 || address + length <= 0x2000 || (address >= HIGH && address + length <= HIGH + 0x1000);
    }
}
