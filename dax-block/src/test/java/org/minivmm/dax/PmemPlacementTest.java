package org.minivmm.dax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.boot.E820Entry;
import org.minivmm.boot.MemoryLayout;

class PmemPlacementTest {
    private static final long MIB = 1L << 20;

    @Test
    void regionsFollowRamOnSectionBoundariesAndArePadded() {
        List<PmemPlacement.Region> regions = PmemPlacement.place(MemoryLayout.forRam(100 * MIB), List.of(64 * MIB, 200 * MIB));
        assertEquals(new PmemPlacement.Region(128 * MIB, 128 * MIB, 64 * MIB), regions.get(0));
        assertEquals(new PmemPlacement.Region(256 * MIB, 256 * MIB, 200 * MIB), regions.get(1));
        assertEquals(new E820Entry(128 * MIB, 128 * MIB, E820Entry.PRAM), regions.get(0).e820());
    }

    @Test
    void aRegionThatWouldReachTheMmioHoleStartsAtFourGiB() {
        List<PmemPlacement.Region> regions = PmemPlacement.place(MemoryLayout.forRam(2944 * MIB), List.of(64 * MIB, 200 * MIB));
        assertEquals(2944 * MIB, regions.get(0).guestAddress(), "fits below 3 GiB");
        assertEquals(4096 * MIB, regions.get(1).guestAddress(), "would cross 0xc0000000");
    }

    @Test
    void withRamAboveTheHoleRegionsFollowHighRam() {
        List<PmemPlacement.Region> regions = PmemPlacement.place(MemoryLayout.forRam(4096 * MIB), List.of(MIB));
        assertEquals(5120 * MIB, regions.get(0).guestAddress(), "1 GiB of RAM moved above 4 GiB ends at 5 GiB");
        assertEquals(128 * MIB, regions.get(0).size());
    }
}
