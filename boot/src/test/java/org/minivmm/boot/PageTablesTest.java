package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTablesTest {
    private static final long PRESENT = 1;
    private static final long WRITABLE = 2;
    private static final long PAGE_SIZE_2M = 0x80;
    private static final long ADDRESS_MASK = 0x000f_ffff_ffff_f000L;

    private final List<GuestBlob> tables = PageTables.identityMapFirst4GiB();

    @Test
    void placesEachTableAtItsLayoutAddress() {
        assertEquals(List.of(MemoryLayout.PML4_ADDR, MemoryLayout.PDPT_ADDR, MemoryLayout.PD_ADDR),
                tables.stream().map(GuestBlob::address).toList());
        assertEquals(List.of(4096, 4096, 4 * 4096), tables.stream().map(blob -> blob.bytes().length).toList());
        assertEquals(MemoryLayout.PML4_ADDR, PageTables.cr3());
    }

    @Test
    void upperLevelsPointDownWritably() {
        assertEquals(MemoryLayout.PDPT_ADDR | PRESENT | WRITABLE, read(MemoryLayout.PML4_ADDR));
        assertEquals(0, read(MemoryLayout.PML4_ADDR + 8), "only the first 512 GiB are mapped");
        for (int gib = 0; gib < 4; gib++) {
            assertEquals((MemoryLayout.PD_ADDR + gib * 4096L) | PRESENT | WRITABLE, read(MemoryLayout.PDPT_ADDR + gib * 8L));
        }
        assertEquals(0, read(MemoryLayout.PDPT_ADDR + 4 * 8), "nothing above 4 GiB");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 0x1234, 2L << 20, (2L << 20) + 0x1fffff, 16L << 20, 0xfec0_0000L, 0xff7f_ffffL, 0xffff_ffffL})
    void identityMapsTheFirstFourGibibytes(long address) {
        assertEquals(address, translate(address));
    }

    @Test
    void mapsTwoMebibytePagesThatAreWritable() {
        long entry = read(MemoryLayout.PD_ADDR + 8 * 5);

        assertEquals(5L * (2L << 20) | PRESENT | WRITABLE | PAGE_SIZE_2M, entry);
        assertTrue((read(MemoryLayout.PD_ADDR + 4 * 4096 - 8) & PAGE_SIZE_2M) != 0);
    }

    /** Walks PML4 -> PDPT -> PD the way the MMU does with CR4.PAE and 2 MiB pages. */
    private long translate(long virtual) {
        long pml4e = read(PageTables.cr3() + ((virtual >>> 39) & 511) * 8);
        assertTrue((pml4e & PRESENT) != 0);
        long pdpte = read((pml4e & ADDRESS_MASK) + ((virtual >>> 30) & 511) * 8);
        assertTrue((pdpte & PRESENT) != 0);
        long pde = read((pdpte & ADDRESS_MASK) + ((virtual >>> 21) & 511) * 8);
        assertTrue((pde & PRESENT) != 0 && (pde & PAGE_SIZE_2M) != 0);
        return (pde & ADDRESS_MASK & ~0x1fffffL) | (virtual & 0x1fffff);
    }

    private long read(long physical) {
        for (GuestBlob table : tables) {
            if (physical >= table.address() && physical < table.address() + table.bytes().length) {
                return TestBytes.u64(table, (int) (physical - table.address()));
            }
        }
        throw new AssertionError("page walk left the tables at " + Long.toHexString(physical));
    }
}
