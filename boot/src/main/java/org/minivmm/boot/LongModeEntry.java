package org.minivmm.boot;

/**
 * The GDT and the register state a vCPU needs to enter Linux's startup_64 directly in 64-bit mode,
 * as the 64-bit boot protocol prescribes: paging on, flat __BOOT_CS (0x10) and __BOOT_DS (0x18)
 * segments, interrupts off and RSI pointing at the zero page.
 */
public final class LongModeEntry {
    /**
     * One segment register as KVM_SET_SREGS takes it. {@code limit} is in bytes (already scaled by
     * the granularity bit) and unsigned, so a flat 4 GiB segment has limit 0xffffffff, i.e. -1.
     */
    public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                          boolean db, boolean s, boolean l, boolean g, boolean avl) {

        /** Decodes an 8-byte GDT descriptor (Intel SDM vol. 3, "Segment Descriptors"). */
        public static Segment decode(long descriptor, int selector) {
            long base = ((descriptor >>> 16) & 0xff_ffffL) | (((descriptor >>> 56) & 0xff) << 24);
            int rawLimit = (int) ((descriptor & 0xffff) | (((descriptor >>> 48) & 0xf) << 16));
            boolean granularity4k = bit(descriptor, 55);
            int limit = granularity4k ? (rawLimit << 12) | 0xfff : rawLimit;
            return new Segment(base, limit, selector,
                    (int) (descriptor >>> 40) & 0xf,
                    bit(descriptor, 47),
                    (int) (descriptor >>> 45) & 0x3,
                    bit(descriptor, 54),
                    bit(descriptor, 44),
                    bit(descriptor, 53),
                    granularity4k,
                    bit(descriptor, 52));
        }

        private static boolean bit(long value, int index) {
            return ((value >>> index) & 1) != 0;
        }
    }

    /** Everything the VMM loads into a vCPU before its first KVM_RUN. */
    public record CpuState(Segment code, Segment data, Segment tss,
                           long gdtBase, int gdtLimit, long idtBase, int idtLimit,
                           long cr0, long cr3, long cr4, long efer,
                           long rip, long rsp, long rsi, long rflags) {
    }

    private static final int DESCRIPTOR_BYTES = 8;
    // Linux's boot GDT layout: __BOOT_CS is entry 2 and __BOOT_DS entry 3.
    private static final int CODE_INDEX = 2;
    private static final int DATA_INDEX = 3;
    private static final int TSS_INDEX = 4;
    private static final long[] GDT = {
            0,                      // the null descriptor the CPU requires
            0,                      // unused, as in Linux's own boot GDT
            0x00af9b000000ffffL,    // __BOOT_CS: flat, present, ring 0, execute/read, L=1 (64-bit), G=1
            0x00cf93000000ffffL,    // __BOOT_DS: flat, present, ring 0, read/write, D/B=1, G=1
            0x008f8b000000ffffL,    // busy 64-bit TSS: KVM's VM-entry checks need a usable TR
            0,                      // upper half of the 16-byte TSS descriptor: base bits 63..32
    };

    private static final long CR0_PE = 1L;
    // Hard-wired to 1 on every CPU since the 486; set so the value matches what the guest reads back.
    private static final long CR0_ET = 1L << 4;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LME = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    // Bit 1 of RFLAGS is reserved and always 1; IF stays 0 as the boot protocol requires.
    private static final long RFLAGS_RESERVED = 1L << 1;

    private LongModeEntry() {
    }

    /** The GDT, to be copied to {@link MemoryLayout#GDT_ADDR}. */
    public static GuestBlob gdt() {
        LittleEndianBytes table = new LittleEndianBytes(GDT.length * DESCRIPTOR_BYTES);
        for (int i = 0; i < GDT.length; i++) {
            table.u64(i * DESCRIPTOR_BYTES, GDT[i]);
        }
        return new GuestBlob(MemoryLayout.GDT_ADDR, table.toByteArray());
    }

    /**
     * The register state for entering a 64-bit kernel at {@code entryPhysical}.
     *
     * <p>The IDT is empty (limit 0): an exception before Linux loads its own IDT then triple-faults
     * into a clean KVM_EXIT_SHUTDOWN. Firecracker's 8 zeroed bytes with limit 7 behave the same,
     * since a 64-bit gate is 16 bytes and none fits; guest RAM starts zeroed, so nothing is written.
     */
    public static CpuState cpuState(long entryPhysical) {
        if (entryPhysical < 0 || entryPhysical >= MemoryLayout.MMIO_HOLE_END) {
            throw new IllegalArgumentException("entry point " + Formatting.hex(entryPhysical)
                    + " is outside the identity-mapped first 4 GiB");
        }
        return new CpuState(
                segment(CODE_INDEX), segment(DATA_INDEX), segment(TSS_INDEX),
                MemoryLayout.GDT_ADDR, GDT.length * DESCRIPTOR_BYTES - 1,
                MemoryLayout.IDT_ADDR, 0,
                CR0_PE | CR0_ET | CR0_PG, PageTables.cr3(), CR4_PAE, EFER_LME | EFER_LMA,
                entryPhysical, MemoryLayout.BOOT_STACK_POINTER, MemoryLayout.ZERO_PAGE_ADDR, RFLAGS_RESERVED);
    }

    private static Segment segment(int index) {
        return Segment.decode(GDT[index], index * DESCRIPTOR_BYTES);
    }
}
