package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LongModeEntryTest {
    private static final long ENTRY = 0x100_0000;
    private static final int FLAT_LIMIT = 0xffff_ffff;

    @Test
    void gdtHoldsLinuxBootDescriptorsAtTheirSelectors() {
        GuestBlob gdt = LongModeEntry.gdt();

        assertEquals(MemoryLayout.GDT_ADDR, gdt.address());
        assertEquals(0, TestBytes.u64(gdt, 0), "null descriptor");
        assertEquals(0x00af9b000000ffffL, TestBytes.u64(gdt, 0x10), "__BOOT_CS");
        assertEquals(0x00cf93000000ffffL, TestBytes.u64(gdt, 0x18), "__BOOT_DS");
        assertEquals(0x008f8b000000ffffL, TestBytes.u64(gdt, 0x20), "TSS");
    }

    @Test
    void codeSegmentIsFlatSixtyFourBitExecuteRead() {
        LongModeEntry.Segment code = LongModeEntry.cpuState(ENTRY).code();

        assertEquals(new LongModeEntry.Segment(0, FLAT_LIMIT, 0x10, 0xb, true, 0, false, true, true, true, false), code);
    }

    @Test
    void dataSegmentIsFlatReadWrite() {
        LongModeEntry.Segment data = LongModeEntry.cpuState(ENTRY).data();

        assertEquals(new LongModeEntry.Segment(0, FLAT_LIMIT, 0x18, 0x3, true, 0, true, true, false, true, false), data);
    }

    @Test
    void taskSegmentIsABusySixtyFourBitTss() {
        LongModeEntry.Segment tss = LongModeEntry.cpuState(ENTRY).tss();

        assertEquals(0x20, tss.selector());
        assertEquals(0xb, tss.type(), "busy 64-bit TSS");
        assertFalse(tss.s(), "system descriptor");
        assertTrue(tss.present());
    }

    @Test
    void decodesEveryDescriptorField() {
        // Intel SDM layout: limit 15:0 | base 39:16 | type 43:40 | S 44 | DPL 46:45 | P 47
        //                   | limit 51:48 | AVL 52 | L 53 | D/B 54 | G 55 | base 63:56
        long descriptor = 0x12L << 56 | 0x5L << 52 | 0xaL << 48 | 0xeL << 44 | 0x7L << 40 | 0x34_5678L << 16 | 0xbcde;

        LongModeEntry.Segment segment = LongModeEntry.Segment.decode(descriptor, 0x28);

        assertEquals(new LongModeEntry.Segment(0x1234_5678, 0xabcde, 0x28, 0x7, true, 3, true, false, false, false, true),
                segment);
    }

    @Test
    void scalesPageGranularLimitsToBytes() {
        long descriptor = 1L << 55 | 0x1L << 48 | 0x0002;

        assertEquals(0x1_0002_fff, LongModeEntry.Segment.decode(descriptor, 0).limit());
    }

    @Test
    void decodingLosesNoBits() {
        Random random = new Random(42);
        for (int i = 0; i < 1000; i++) {
            long descriptor = random.nextLong();
            assertEquals(descriptor, encode(LongModeEntry.Segment.decode(descriptor, 0)), Long.toHexString(descriptor));
        }
        GuestBlob gdt = LongModeEntry.gdt();
        for (int offset = 0; offset < gdt.bytes().length; offset += 8) {
            long descriptor = TestBytes.u64(gdt, offset);
            assertEquals(descriptor, encode(LongModeEntry.Segment.decode(descriptor, offset)));
        }
    }

    @Test
    void cpuStateEntersLongModeWithPagingAtTheKernelEntry() {
        LongModeEntry.CpuState state = LongModeEntry.cpuState(ENTRY);

        assertEquals(0x8000_0011L, state.cr0(), "PG | ET | PE");
        assertEquals(0x20, state.cr4(), "PAE");
        assertEquals(0x500, state.efer(), "LMA | LME");
        assertEquals(MemoryLayout.PML4_ADDR, state.cr3());
        assertEquals(ENTRY, state.rip());
        assertEquals(MemoryLayout.BOOT_STACK_POINTER, state.rsp());
        assertEquals(MemoryLayout.ZERO_PAGE_ADDR, state.rsi(), "the boot protocol passes boot_params in RSI");
        assertEquals(0x2, state.rflags(), "reserved bit 1 set, interrupts off");
    }

    @Test
    void cpuStateDescribesTheGdtAndAnEmptyIdt() {
        LongModeEntry.CpuState state = LongModeEntry.cpuState(ENTRY);

        assertEquals(MemoryLayout.GDT_ADDR, state.gdtBase());
        assertEquals(LongModeEntry.gdt().bytes().length - 1, state.gdtLimit());
        assertTrue(state.gdtLimit() >= 0x20 + 7, "the TSS selector lies inside the GDT");
        assertEquals(MemoryLayout.IDT_ADDR, state.idtBase());
        assertEquals(0, state.idtLimit());
    }

    @Test
    void rejectsAnEntryOutsideTheIdentityMap() {
        assertThrows(IllegalArgumentException.class, () -> LongModeEntry.cpuState(MemoryLayout.MMIO_HOLE_END));
        assertThrows(IllegalArgumentException.class, () -> LongModeEntry.cpuState(-1));
    }

    /** The inverse of decode, written from the SDM layout above. */
    private static long encode(LongModeEntry.Segment segment) {
        long rawLimit = Integer.toUnsignedLong(segment.limit()) >>> (segment.g() ? 12 : 0);
        return (rawLimit & 0xffff)
                | (segment.base() & 0xff_ffffL) << 16
                | (long) segment.type() << 40
                | flag(segment.s()) << 44
                | (long) segment.dpl() << 45
                | flag(segment.present()) << 47
                | (rawLimit >>> 16 & 0xf) << 48
                | flag(segment.avl()) << 52
                | flag(segment.l()) << 53
                | flag(segment.db()) << 54
                | flag(segment.g()) << 55
                | (segment.base() >>> 24 & 0xff) << 56;
    }

    private static long flag(boolean value) {
        return value ? 1 : 0;
    }
}
