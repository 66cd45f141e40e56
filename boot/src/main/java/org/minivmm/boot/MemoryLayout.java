package org.minivmm.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest physical memory map: where each boot structure lives and which addresses are RAM.
 *
 * <p>Boot structures sit in the first MiB, below any Linux kernel's load address. RAM starts at 0
 * and runs up to the 32-bit MMIO hole at 3 GiB; whatever does not fit below the hole continues
 * at 4 GiB.
 */
public final class MemoryLayout {
    public static final long GDT_ADDR = 0x500;
    /** Just past the six-entry GDT (48 bytes), so the two tables never share bytes. */
    public static final long IDT_ADDR = 0x530;
    public static final long ZERO_PAGE_ADDR = 0x7000;
    /** Top of the boot stack; Linux switches to its own stack within its first instructions. */
    public static final long BOOT_STACK_POINTER = 0x8ff0;
    public static final long PML4_ADDR = 0x9000;
    public static final long PDPT_ADDR = 0xa000;
    /** The first of four page directories, one per GiB of the identity map: 0xb000..0xefff. */
    public static final long PD_ADDR = 0xb000;
    public static final long CMDLINE_ADDR = 0x20000;
    /** Linux's COMMAND_LINE_SIZE on x86: the most it copies, including the terminating NUL. */
    public static final int CMDLINE_MAX_BYTES = 2048;
    public static final long EBDA_START = 0x9fc00;
    /** 640 KiB: the end of conventional memory, where the legacy VGA and BIOS area begins. */
    public static final long BASE_MEMORY_END = 0xa0000;
    /** Linux without ACPI scans the last KiB of base memory for the MP floating pointer. */
    public static final long MPTABLE_ADDR = EBDA_START;
    public static final long HIMEM_START = 0x100000;
    public static final long MMIO_HOLE_START = 0xC000_0000L;
    public static final long MMIO_HOLE_END = 0x1_0000_0000L;
    public static final long DEVICE_MMIO_START = 0xD000_0000L;
    public static final long IOAPIC_ADDR = 0xFEC0_0000L;
    public static final long LAPIC_ADDR = 0xFEE0_0000L;
    /**
     * x86-64 kernels are linked to load at CONFIG_PHYSICAL_START, 16 MiB by default, so a smaller
     * guest cannot even hold the kernel; a smaller size is almost certainly a unit mistake. The
     * exact check against a given kernel is {@link ElfKernel#checkFits}.
     */
    public static final long MIN_RAM_BYTES = 16L << 20;
    /**
     * Linux x86-64 with 4-level paging addresses 46 bits (64 TiB) of physical memory, and RAM
     * above 3 GiB is shifted up by the 1 GiB hole.
     */
    public static final long MAX_RAM_BYTES = (1L << 46) - (MMIO_HOLE_END - MMIO_HOLE_START);

    private static final long PAGE_BYTES = 4096;

    private final long ramBytes;
    private final List<RamRange> ramRanges;

    /** A guest physical range backed by RAM. */
    public record RamRange(long start, long size) {
        public long end() {
            return start + size;
        }
    }

    private MemoryLayout(long ramBytes) {
        this.ramBytes = ramBytes;
        long lowBytes = Math.min(ramBytes, MMIO_HOLE_START);
        List<RamRange> ranges = new ArrayList<>();
        ranges.add(new RamRange(0, lowBytes));
        if (ramBytes > lowBytes) {
            ranges.add(new RamRange(MMIO_HOLE_END, ramBytes - lowBytes));
        }
        this.ramRanges = List.copyOf(ranges);
    }

    /** The layout for a guest with {@code ramBytes} of RAM; rejects sizes no guest can use. */
    public static MemoryLayout forRam(long ramBytes) {
        if (ramBytes <= 0) {
            throw new IllegalArgumentException(
                    "guest memory size must be positive, but it is " + ramBytes + " bytes; give the VM memory with --mem.");
        }
        if (ramBytes % PAGE_BYTES != 0) {
            throw new IllegalArgumentException("guest memory size " + ramBytes
                    + " bytes is not a whole number of 4 KiB pages; round --mem to a multiple of 4096 bytes.");
        }
        if (ramBytes < MIN_RAM_BYTES) {
            throw new IllegalArgumentException("guest memory size " + Formatting.size(ramBytes)
                    + " is below the " + Formatting.size(MIN_RAM_BYTES)
                    + " minimum for an x86-64 Linux guest; give the VM more memory with --mem.");
        }
        if (ramBytes > MAX_RAM_BYTES) {
            throw new IllegalArgumentException("guest memory size " + Formatting.size(ramBytes)
                    + " is more than the " + Formatting.size(MAX_RAM_BYTES)
                    + " an x86-64 Linux guest can address; give the VM less memory with --mem.");
        }
        return new MemoryLayout(ramBytes);
    }

    public long ramBytes() {
        return ramBytes;
    }

    /** RAM below the MMIO hole, then (for guests larger than 3 GiB) the rest from 4 GiB. */
    public List<RamRange> ramRanges() {
        return ramRanges;
    }

    /**
     * The memory map Linux is given. The legacy area from the EBDA to 1 MiB is reported reserved
     * so Linux leaves the MP table alone; the entry sizes add up to exactly {@link #ramBytes()}.
     */
    public List<E820Entry> e820() {
        RamRange low = ramRanges.get(0);
        List<E820Entry> entries = new ArrayList<>();
        entries.add(new E820Entry(0, EBDA_START, E820Entry.RAM));
        entries.add(new E820Entry(EBDA_START, HIMEM_START - EBDA_START, E820Entry.RESERVED));
        entries.add(new E820Entry(HIMEM_START, low.end() - HIMEM_START, E820Entry.RAM));
        for (RamRange high : ramRanges.subList(1, ramRanges.size())) {
            entries.add(new E820Entry(high.start(), high.size(), E820Entry.RAM));
        }
        return List.copyOf(entries);
    }

    /** Whether all of [addr, addr + length) lies inside a single RAM range. */
    public boolean isRam(long addr, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("range length must be positive, but it is " + length);
        }
        for (RamRange range : ramRanges) {
            // Written as a subtraction so that huge lengths cannot overflow.
            if (addr >= range.start() && addr < range.end() && length <= range.end() - addr) {
                return true;
            }
        }
        return false;
    }
}
