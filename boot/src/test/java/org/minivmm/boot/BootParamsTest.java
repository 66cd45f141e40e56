package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.minivmm.boot.TestBytes.ascii;
import static org.minivmm.boot.TestBytes.u16;
import static org.minivmm.boot.TestBytes.u32;
import static org.minivmm.boot.TestBytes.u64;
import static org.minivmm.boot.TestBytes.u8;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Offsets below are those of struct boot_params in Linux's arch/x86/include/uapi/asm/bootparam.h. */
class BootParamsTest {
    private static final List<E820Entry> E820 = MemoryLayout.forRam(6L << 30).e820();

    @Test
    void isOnePageAtTheZeroPageAddress() {
        GuestBlob page = BootParams.zeroPage(E820, MemoryLayout.CMDLINE_ADDR, 10);

        assertEquals(MemoryLayout.ZERO_PAGE_ADDR, page.address());
        assertEquals(4096, page.bytes().length);
    }

    @Test
    void fillsTheSetupHeaderAsABootLoaderWould() {
        GuestBlob page = BootParams.zeroPage(E820, MemoryLayout.CMDLINE_ADDR, 42);

        assertEquals(0xaa55, u16(page, 0x1fe), "boot_flag");
        assertEquals("HdrS", ascii(page, 0x202, 4), "header");
        assertEquals(0x020f, u16(page, 0x206), "version");
        assertEquals(0xff, u8(page, 0x210), "type_of_loader");
        assertEquals(1, u8(page, 0x211) & 1, "loadflags LOADED_HIGH");
        assertEquals(MemoryLayout.CMDLINE_ADDR, u32(page, 0x228), "cmd_line_ptr");
        assertEquals(0, u32(page, 0x0c8), "ext_cmd_line_ptr");
        assertEquals(0x1000000, u32(page, 0x230), "kernel_alignment");
        assertEquals(42, u32(page, 0x238), "cmdline_size");
    }

    @Test
    void splitsACommandLineAddressAboveFourGibibytes() {
        GuestBlob page = BootParams.zeroPage(E820, 0x1_2345_6000L, 0);

        assertEquals(0x2345_6000L, u32(page, 0x228), "cmd_line_ptr holds the low half");
        assertEquals(0x1, u32(page, 0x0c8), "ext_cmd_line_ptr holds the high half");
    }

    @Test
    void carriesTheMemoryMap() {
        GuestBlob page = BootParams.zeroPage(E820, MemoryLayout.CMDLINE_ADDR, 0);

        assertEquals(E820.size(), u8(page, 0x1e8), "e820_entries");
        for (int i = 0; i < E820.size(); i++) {
            int at = 0x2d0 + 20 * i;
            E820Entry read = new E820Entry(u64(page, at), u64(page, at + 8), (int) u32(page, at + 16));
            assertEquals(E820.get(i), read, "e820_table[" + i + "]");
        }
    }

    @Test
    void holdsAtMost128MemoryMapEntries() {
        List<E820Entry> full = Collections.nCopies(128, new E820Entry(0x100000, 4096, E820Entry.PRAM));
        GuestBlob page = BootParams.zeroPage(full, MemoryLayout.CMDLINE_ADDR, 0);
        assertEquals(128, u8(page, 0x1e8));
        assertEquals(E820Entry.PRAM, u32(page, 0x2d0 + 20 * 127 + 16), "e820_table[127].type");

        List<E820Entry> tooMany = new ArrayList<>(full);
        tooMany.add(new E820Entry(0, 4096, E820Entry.RAM));
        assertThrows(IllegalArgumentException.class, () -> BootParams.zeroPage(tooMany, MemoryLayout.CMDLINE_ADDR, 0));
    }

    @Test
    void rejectsACommandLineSizeLinuxWouldTruncate() {
        assertThrows(IllegalArgumentException.class,
                () -> BootParams.zeroPage(E820, MemoryLayout.CMDLINE_ADDR, MemoryLayout.CMDLINE_MAX_BYTES));
    }
}
