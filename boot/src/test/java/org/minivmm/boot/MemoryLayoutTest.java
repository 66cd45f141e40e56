package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryLayoutTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void smallGuestHasOneRamRangeFromZero() {
        MemoryLayout layout = MemoryLayout.forRam(64 * MIB);

        assertEquals(64 * MIB, layout.ramBytes());
        assertEquals(List.of(new MemoryLayout.RamRange(0, 64 * MIB)), layout.ramRanges());
        assertEquals(List.of(
                new E820Entry(0, 0x9fc00, E820Entry.RAM),
                new E820Entry(0x9fc00, 0x100000 - 0x9fc00, E820Entry.RESERVED),
                new E820Entry(0x100000, 64 * MIB - 0x100000, E820Entry.RAM)),
                layout.e820());
    }

    @Test
    void guestOfExactlyThreeGibibytesEndsAtTheHole() {
        MemoryLayout layout = MemoryLayout.forRam(3 * GIB);

        assertEquals(List.of(new MemoryLayout.RamRange(0, 3 * GIB)), layout.ramRanges());
        E820Entry last = layout.e820().get(layout.e820().size() - 1);
        assertEquals(3 * GIB, last.address() + last.size());
        assertEquals(3 * GIB, totalSize(layout.e820()));
    }

    @Test
    void ramBeyondThreeGibibytesContinuesAtFour() {
        MemoryLayout layout = MemoryLayout.forRam(6 * GIB);

        assertEquals(List.of(new MemoryLayout.RamRange(0, 3 * GIB), new MemoryLayout.RamRange(4 * GIB, 3 * GIB)),
                layout.ramRanges());
        assertEquals(7 * GIB, layout.ramRanges().get(1).end());
        assertEquals(new E820Entry(4 * GIB, 3 * GIB, E820Entry.RAM), layout.e820().get(3));
        assertEquals(6 * GIB, totalSize(layout.e820()));
    }

    @Test
    void oneExtraPageLandsAtFourGibibytes() {
        MemoryLayout layout = MemoryLayout.forRam(3 * GIB + 4096);

        assertEquals(new MemoryLayout.RamRange(4 * GIB, 4096), layout.ramRanges().get(1));
        assertEquals(3 * GIB + 4096, totalSize(layout.e820()));
    }

    @ParameterizedTest
    @ValueSource(longs = {16 << 20, 1L << 30, 3L << 30, (3L << 30) + 4096, 5L << 30, 100L << 30})
    void e820NeverMapsTheHoleAndAddsUpToTheRam(long ram) {
        List<E820Entry> e820 = MemoryLayout.forRam(ram).e820();

        assertEquals(ram, totalSize(e820));
        for (E820Entry entry : e820) {
            long end = entry.address() + entry.size();
            assertTrue(end <= MemoryLayout.MMIO_HOLE_START || entry.address() >= MemoryLayout.MMIO_HOLE_END, entry::toString);
        }
        for (int i = 1; i < e820.size(); i++) {
            E820Entry previous = e820.get(i - 1);
            assertTrue(previous.address() + previous.size() <= e820.get(i).address(), "sorted and disjoint");
        }
    }

    @Test
    void isRamOnlyForRangesInsideOneRamRange() {
        MemoryLayout layout = MemoryLayout.forRam(6 * GIB);

        assertTrue(layout.isRam(0, 4096));
        assertTrue(layout.isRam(3 * GIB - 4096, 4096));
        assertTrue(layout.isRam(4 * GIB, 3 * GIB));
        assertFalse(layout.isRam(3 * GIB - 4096, 8192), "runs into the hole");
        assertFalse(layout.isRam(MemoryLayout.IOAPIC_ADDR, 4096), "inside the hole");
        assertFalse(layout.isRam(7 * GIB - 4096, 8192), "runs past the end of RAM");
        assertFalse(layout.isRam(7 * GIB, 1), "starts at the end of RAM");
        assertFalse(layout.isRam(-4096, 4096));
        assertFalse(layout.isRam(4096, Long.MAX_VALUE), "a huge length must not wrap around");
    }

    @Test
    void isRamRejectsAnEmptyRange() {
        MemoryLayout layout = MemoryLayout.forRam(64 * MIB);

        assertThrows(IllegalArgumentException.class, () -> layout.isRam(0, 0));
    }

    @Test
    void acceptsTheMinimum() {
        assertEquals(MemoryLayout.MIN_RAM_BYTES, MemoryLayout.forRam(MemoryLayout.MIN_RAM_BYTES).ramBytes());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -4096, 4097, (64 << 20) + 1, (16 << 20) - 4096, 4096, Long.MAX_VALUE})
    void rejectsUnusableSizesWithAMessageAboutMem(long ram) {
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> MemoryLayout.forRam(ram));

        assertTrue(failure.getMessage().contains("--mem"), failure.getMessage());
        assertTrue(failure.getMessage().endsWith("."), failure.getMessage());
    }

    @Test
    void rejectsMoreThanLinuxCanAddress() {
        // 4-level paging gives Linux 46 physical address bits; RAM above 3 GiB is shifted up by 1 GiB.
        long largest = (1L << 46) - GIB;

        assertEquals((1L << 46), MemoryLayout.forRam(largest).ramRanges().get(1).end());
        assertThrows(IllegalArgumentException.class, () -> MemoryLayout.forRam(largest + 4096));
    }

    @Test
    void bootStructuresSitBelowTheKernelAndDoNotOverlap() {
        long[][] structures = {
                {MemoryLayout.GDT_ADDR, LongModeEntry.gdt().bytes().length},
                {MemoryLayout.ZERO_PAGE_ADDR, 4096},
                {MemoryLayout.PML4_ADDR, 4096},
                {MemoryLayout.PDPT_ADDR, 4096},
                {MemoryLayout.PD_ADDR, 4 * 4096},
                {MemoryLayout.CMDLINE_ADDR, MemoryLayout.CMDLINE_MAX_BYTES},
                {MemoryLayout.MPTABLE_ADDR, MpTable.build(MpTable.MAX_CPUS).bytes().length},
        };
        for (int i = 0; i < structures.length; i++) {
            long end = structures[i][0] + structures[i][1];
            assertTrue(end <= MemoryLayout.HIMEM_START);
            for (int j = i + 1; j < structures.length; j++) {
                boolean disjoint = end <= structures[j][0] || structures[j][0] + structures[j][1] <= structures[i][0];
                assertTrue(disjoint, "structures " + i + " and " + j + " overlap");
            }
        }
        assertTrue(MemoryLayout.GDT_ADDR + LongModeEntry.gdt().bytes().length <= MemoryLayout.IDT_ADDR);
        assertTrue(MemoryLayout.BOOT_STACK_POINTER < MemoryLayout.PML4_ADDR);
        assertTrue(MemoryLayout.BOOT_STACK_POINTER > MemoryLayout.ZERO_PAGE_ADDR + 4096);
    }

    private static long totalSize(List<E820Entry> entries) {
        return entries.stream().mapToLong(E820Entry::size).sum();
    }
}
