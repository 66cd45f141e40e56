package org.minivmm.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Guest physical memory as the VMM sees it: a few regions, each a direct buffer over the host
 * mapping. Every access is checked against the regions first, so an address or length that a
 * guest made up can never reach host memory outside them.
 */
public final class GuestMemory {

    /**
     * One contiguous piece of guest physical memory backed by {@code buffer}; read-only when the buffer
     * is (a read-only image mapped PROT_READ, where a write would crash the VMM rather than throw).
     */
    public record Region(long guestAddress, ByteBuffer buffer) {
        public Region {
            if (guestAddress < 0) {
                throw new IllegalArgumentException("region address must not be negative: " + guestAddress);
            }
            buffer = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        public long size() {
            return buffer.capacity();
        }

        public long end() {
            return guestAddress + size();
        }

        int offsetOf(long address) {
            return (int) (address - guestAddress);
        }
    }

    private final Region[] regions;

    private GuestMemory(Region[] regions) {
        this.regions = regions;
    }

    public static GuestMemory of(List<Region> regions) {
        Region[] sorted = regions.toArray(new Region[0]);
        Arrays.sort(sorted, Comparator.comparingLong(Region::guestAddress));
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i].guestAddress() < sorted[i - 1].end()) {
                throw new IllegalArgumentException(String.format(
                        "guest memory regions overlap at 0x%x", sorted[i].guestAddress()));
            }
        }
        return new GuestMemory(sorted);
    }

    public List<Region> regions() {
        return List.of(regions);
    }

    /** True when every byte of [address, address + length) is guest memory; an empty range touches none. */
    public boolean contains(long address, long length) {
        if (address < 0 || length < 0 || address + length < address) {
            return false;
        }
        long next = address;
        long end = address + length;
        while (next < end) {
            Region region = regionAt(next);
            if (region == null) {
                return false;
            }
            next = region.end();
        }
        return true;
    }

    public void read(long address, byte[] into, int offset, int length) {
        copy(address, into, offset, length, false);
    }

    public void write(long address, byte[] from, int offset, int length) {
        copy(address, from, offset, length, true);
    }

    /** One loop for both directions, piece by piece across regions; no lambda, as this is the data path. */
    private void copy(long address, byte[] array, int offset, int length, boolean intoGuest) {
        checkRange(address, length);
        if (intoGuest) {
            checkWritable(address, length);
        }
        long next = address;
        int done = 0;
        while (done < length) {
            Region region = regionAt(next);
            int chunk = (int) Math.min(length - done, region.end() - next);
            if (intoGuest) {
                region.buffer().put(region.offsetOf(next), array, offset + done, chunk);
            } else {
                region.buffer().get(region.offsetOf(next), array, offset + done, chunk);
            }
            done += chunk;
            next += chunk;
        }
    }

    public byte[] read(long address, int length) {
        byte[] bytes = new byte[length];
        read(address, bytes, 0, length);
        return bytes;
    }

    public void write(long address, byte[] bytes) {
        write(address, bytes, 0, bytes.length);
    }

    public byte readByte(long address) {
        Region region = within(address, Byte.BYTES);
        return region.buffer().get(region.offsetOf(address));
    }

    public short readShort(long address) {
        Region region = within(address, Short.BYTES);
        return region.buffer().getShort(region.offsetOf(address));
    }

    public int readInt(long address) {
        Region region = within(address, Integer.BYTES);
        return region.buffer().getInt(region.offsetOf(address));
    }

    public long readLong(long address) {
        Region region = within(address, Long.BYTES);
        return region.buffer().getLong(region.offsetOf(address));
    }

    public void writeByte(long address, byte value) {
        Region region = writableWithin(address, Byte.BYTES);
        region.buffer().put(region.offsetOf(address), value);
    }

    public void writeShort(long address, short value) {
        Region region = writableWithin(address, Short.BYTES);
        region.buffer().putShort(region.offsetOf(address), value);
    }

    public void writeInt(long address, int value) {
        Region region = writableWithin(address, Integer.BYTES);
        region.buffer().putInt(region.offsetOf(address), value);
    }

    public void writeLong(long address, long value) {
        Region region = writableWithin(address, Long.BYTES);
        region.buffer().putLong(region.offsetOf(address), value);
    }

    /**
     * Zero-copy views of [address, address + length), one per region it crosses: what the data path
     * uses for guest buffers, which may legally straddle two regions.
     */
    public List<ByteBuffer> slices(long address, int length) {
        checkRange(address, length);
        List<ByteBuffer> views = new ArrayList<>(1);
        long next = address;
        long end = address + length;
        while (next < end) {
            Region region = regionAt(next);
            int chunk = (int) Math.min(end - next, region.end() - next);
            views.add(region.buffer().slice(region.offsetOf(next), chunk).order(ByteOrder.LITTLE_ENDIAN));
            next += chunk;
        }
        return views;
    }

    /** Like {@link #slices}, for a device to write into: refuses the range if any of it is read-only. */
    public List<ByteBuffer> writableSlices(long address, int length) {
        checkRange(address, length);
        checkWritable(address, length);
        return slices(address, length);
    }

    /** Fills [address, address + length) with zero bytes. */
    public void zero(long address, long length) {
        checkRange(address, length);
        byte[] zeros = new byte[(int) Math.min(length, 64 * 1024)];
        long next = address;
        long end = address + length;
        while (next < end) {
            int chunk = (int) Math.min(zeros.length, end - next);
            write(next, zeros, 0, chunk);
            next += chunk;
        }
    }

    private void checkRange(long address, long length) {
        if (!contains(address, length)) {
            throw outside(address, length);
        }
    }

    private void checkWritable(long address, long length) {
        for (long next = address; next < address + length; ) {
            Region region = regionAt(next);
            if (region.buffer().isReadOnly()) {
                throw new GuestMemoryException(String.format("guest range 0x%x+0x%x is read-only", address, length));
            }
            next = region.end();
        }
    }

    private Region writableWithin(long address, long length) {
        Region region = within(address, length);
        if (region.buffer().isReadOnly()) {
            throw new GuestMemoryException(String.format("guest range 0x%x+0x%x is read-only", address, length));
        }
        return region;
    }

    private Region within(long address, long length) {
        Region region = regionAt(address);
        if (region == null || length < 0 || address + length > region.end() || address + length < address) {
            throw outside(address, length);
        }
        return region;
    }

    private Region regionAt(long address) {
        for (Region region : regions) {
            if (address >= region.guestAddress() && address < region.end()) {
                return region;
            }
        }
        return null;
    }

    private static GuestMemoryException outside(long address, long length) {
        return new GuestMemoryException(String.format(
                "guest range 0x%x+0x%x is outside guest memory", address, length));
    }
}
