package org.minivmm.dax;

import java.util.ArrayList;
import java.util.List;
import org.minivmm.boot.E820Entry;
import org.minivmm.boot.MemoryLayout;

/**
 * Where pmem regions go in guest physical memory: after RAM, each starting and ending on a 128 MiB
 * boundary (the memory-section size on x86-64, which Linux's pmem and DAX code maps in whole units),
 * below the 32-bit MMIO hole while they fit there and from 4 GiB up otherwise. A region larger than its
 * image is padded with anonymous zero memory by the VMM, never by growing the file.
 */
public final class PmemPlacement {
    public static final long ALIGNMENT = 128L << 20;
    private static final long FOUR_GIB = MemoryLayout.MMIO_HOLE_END;

    /** One region: where it starts in the guest, how large it is, and how much of it is the image. */
    public record Region(long guestAddress, long size, long imageSize) {
        public long end() {
            return guestAddress + size;
        }

        public E820Entry e820() {
            return new E820Entry(guestAddress, size, E820Entry.PRAM);
        }
    }

    private PmemPlacement() {
    }

    public static List<Region> place(MemoryLayout layout, List<Long> imageSizes) {
        long ramEnd = layout.ramRanges().get(layout.ramRanges().size() - 1).end();
        long next = alignUp(ramEnd);
        List<Region> regions = new ArrayList<>();
        for (long imageSize : imageSizes) {
            long size = alignUp(imageSize);
            if (next < FOUR_GIB && next + size > MemoryLayout.MMIO_HOLE_START) {
                next = FOUR_GIB;
            }
            regions.add(new Region(next, size, imageSize));
            next += size;
        }
        return regions;
    }

    private static long alignUp(long value) {
        return (value + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
