package org.minivmm.boot;

import java.util.List;

/**
 * Boot page tables that identity-map the first 4 GiB with 2 MiB pages. The 64-bit boot protocol
 * needs the kernel, zero page and command line identity-mapped at entry; all of them live below
 * 3 GiB. Linux builds its own page tables straight away.
 */
public final class PageTables {
    private static final int PAGE_BYTES = 4096;
    private static final int ENTRY_BYTES = 8;
    private static final int ENTRIES_PER_TABLE = PAGE_BYTES / ENTRY_BYTES;
    private static final int DIRECTORIES = 4;
    private static final long LARGE_PAGE_BYTES = 2L << 20;

    private static final long PRESENT = 1L;
    private static final long WRITABLE = 1L << 1;
    /** In a page directory entry: maps a 2 MiB page rather than pointing to a page table. */
    private static final long LARGE_PAGE = 1L << 7;

    private PageTables() {
    }

    /** PML4 (one entry), PDPT (four entries) and four page directories of 2 MiB pages. */
    public static List<GuestBlob> identityMapFirst4GiB() {
        LittleEndianBytes pml4 = new LittleEndianBytes(PAGE_BYTES)
                .u64(0, MemoryLayout.PDPT_ADDR | PRESENT | WRITABLE);

        LittleEndianBytes pdpt = new LittleEndianBytes(PAGE_BYTES);
        for (int gib = 0; gib < DIRECTORIES; gib++) {
            pdpt.u64(gib * ENTRY_BYTES, (MemoryLayout.PD_ADDR + (long) gib * PAGE_BYTES) | PRESENT | WRITABLE);
        }

        LittleEndianBytes directories = new LittleEndianBytes(DIRECTORIES * PAGE_BYTES);
        for (int page = 0; page < DIRECTORIES * ENTRIES_PER_TABLE; page++) {
            directories.u64(page * ENTRY_BYTES, page * LARGE_PAGE_BYTES | PRESENT | WRITABLE | LARGE_PAGE);
        }

        return List.of(
                new GuestBlob(MemoryLayout.PML4_ADDR, pml4.toByteArray()),
                new GuestBlob(MemoryLayout.PDPT_ADDR, pdpt.toByteArray()),
                new GuestBlob(MemoryLayout.PD_ADDR, directories.toByteArray()));
    }

    /** The value for CR3: the physical address of the PML4. */
    public static long cr3() {
        return MemoryLayout.PML4_ADDR;
    }
}
