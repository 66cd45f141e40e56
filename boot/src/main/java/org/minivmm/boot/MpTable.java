package org.minivmm.boot;

/**
 * The Intel MultiProcessor Specification 1.4 tables that tell Linux (booted without ACPI) how
 * many CPUs there are and how ISA interrupts reach the IOAPIC. Linux finds the floating pointer
 * by scanning the last KiB of base memory, so everything is packed into that KiB.
 */
public final class MpTable {
    private static final int FLOATING_POINTER_BYTES = 16;
    private static final int CONFIG_HEADER_BYTES = 44;
    private static final int PROCESSOR_ENTRY_BYTES = 20;
    private static final int SHORT_ENTRY_BYTES = 8;     // every other entry type
    private static final int ISA_IRQS = 16;
    private static final int LOCAL_INTERRUPTS = 2;      // ExtINT and NMI
    private static final int NON_PROCESSOR_ENTRIES = 1 + 1 + ISA_IRQS + LOCAL_INTERRUPTS; // bus, IOAPIC, interrupts
    private static final int BYTES_WITHOUT_PROCESSORS =
            FLOATING_POINTER_BYTES + CONFIG_HEADER_BYTES + SHORT_ENTRY_BYTES * NON_PROCESSOR_ENTRIES;
    private static final int SPACE_BYTES = (int) (MemoryLayout.BASE_MEMORY_END - MemoryLayout.MPTABLE_ADDR);

    /** The most CPUs whose processor entries fit, with everything else, in the last KiB of base memory. */
    public static final int MAX_CPUS = (SPACE_BYTES - BYTES_WITHOUT_PROCESSORS) / PROCESSOR_ENTRY_BYTES;

    private static final int SPEC_REVISION_1_4 = 4;
    private static final String OEM_ID = "MINIVMM ";        // 8 characters, space-padded
    private static final String PRODUCT_ID = "MINIVMM     "; // 12 characters, space-padded

    private static final int TYPE_PROCESSOR = 0;
    private static final int TYPE_BUS = 1;
    private static final int TYPE_IOAPIC = 2;
    private static final int TYPE_IO_INTERRUPT = 3;
    private static final int TYPE_LOCAL_INTERRUPT = 4;

    private static final int LAPIC_VERSION = 0x14;
    private static final int CPU_ENABLED = 1;
    private static final int CPU_BOOTSTRAP = 1 << 1;
    // Family 6, as Firecracker reports; Linux only prints it.
    private static final long CPU_SIGNATURE = 0x600;
    private static final long CPU_FEATURES_FPU_APIC = 1 | (1 << 9);
    private static final int ISA_BUS_ID = 0;
    private static final String ISA_BUS_TYPE = "ISA   ";
    private static final int IOAPIC_VERSION = 0x11;
    private static final int IOAPIC_ENABLED = 1;
    private static final int INTERRUPT_INT = 0;
    private static final int INTERRUPT_NMI = 1;
    private static final int INTERRUPT_EXTINT = 3;
    private static final int POLARITY_TRIGGER_CONFORMS_TO_BUS = 0;
    private static final int ALL_LOCAL_APICS = 0xff;

    private MpTable() {
    }

    /** The floating pointer followed by the configuration table, to be copied to {@link MemoryLayout#MPTABLE_ADDR}. */
    public static GuestBlob build(int cpuCount) {
        if (cpuCount < 1 || cpuCount > MAX_CPUS) {
            throw new IllegalArgumentException("a VM can have 1 to " + MAX_CPUS + " CPUs, but " + cpuCount
                    + " were requested; pass a CPU count of at most " + MAX_CPUS + ".");
        }
        int totalBytes = BYTES_WITHOUT_PROCESSORS + cpuCount * PROCESSOR_ENTRY_BYTES;
        LittleEndianBytes table = new LittleEndianBytes(totalBytes);
        // The IOAPIC shares the APIC ID space with the CPUs, so it takes the first ID after them.
        int ioapicId = cpuCount;

        int at = FLOATING_POINTER_BYTES + CONFIG_HEADER_BYTES;
        for (int cpu = 0; cpu < cpuCount; cpu++) {
            table.u8(at, TYPE_PROCESSOR)
                    .u8(at + 1, cpu)
                    .u8(at + 2, LAPIC_VERSION)
                    .u8(at + 3, CPU_ENABLED | (cpu == 0 ? CPU_BOOTSTRAP : 0))
                    .u32(at + 4, CPU_SIGNATURE)
                    .u32(at + 8, CPU_FEATURES_FPU_APIC);
            at += PROCESSOR_ENTRY_BYTES;
        }
        table.u8(at, TYPE_BUS).u8(at + 1, ISA_BUS_ID).ascii(at + 2, ISA_BUS_TYPE);
        at += SHORT_ENTRY_BYTES;
        table.u8(at, TYPE_IOAPIC)
                .u8(at + 1, ioapicId)
                .u8(at + 2, IOAPIC_VERSION)
                .u8(at + 3, IOAPIC_ENABLED)
                .u32(at + 4, MemoryLayout.IOAPIC_ADDR);
        at += SHORT_ENTRY_BYTES;
        // KVM's default routing sends ISA IRQ n to IOAPIC pin n, with no overrides.
        for (int irq = 0; irq < ISA_IRQS; irq++) {
            interruptEntry(table, at, TYPE_IO_INTERRUPT, INTERRUPT_INT, irq, ioapicId, irq);
            at += SHORT_ENTRY_BYTES;
        }
        // The PIC's output on LINT0 and NMI on LINT1: the MP specification's default wiring.
        interruptEntry(table, at, TYPE_LOCAL_INTERRUPT, INTERRUPT_EXTINT, 0, ALL_LOCAL_APICS, 0);
        at += SHORT_ENTRY_BYTES;
        interruptEntry(table, at, TYPE_LOCAL_INTERRUPT, INTERRUPT_NMI, 0, ALL_LOCAL_APICS, 1);

        writeConfigHeader(table, totalBytes, cpuCount);
        writeFloatingPointer(table);
        return new GuestBlob(MemoryLayout.MPTABLE_ADDR, table.toByteArray());
    }

    private static void interruptEntry(LittleEndianBytes table, int at, int entryType, int interruptType,
                                       int sourceIrq, int destinationId, int destinationPin) {
        table.u8(at, entryType)
                .u8(at + 1, interruptType)
                .u16(at + 2, POLARITY_TRIGGER_CONFORMS_TO_BUS)
                .u8(at + 4, ISA_BUS_ID)
                .u8(at + 5, sourceIrq)
                .u8(at + 6, destinationId)
                .u8(at + 7, destinationPin);
    }

    // Written after the entries because its checksum covers them.
    private static void writeConfigHeader(LittleEndianBytes table, int totalBytes, int cpuCount) {
        int start = FLOATING_POINTER_BYTES;
        table.ascii(start, "PCMP")
                .u16(start + 4, totalBytes - start)
                .u8(start + 6, SPEC_REVISION_1_4)
                .ascii(start + 8, OEM_ID)
                .ascii(start + 16, PRODUCT_ID)
                .u16(start + 34, cpuCount + NON_PROCESSOR_ENTRIES)
                .u32(start + 36, MemoryLayout.LAPIC_ADDR);
        table.u8(start + 7, checksumByte(table, start, totalBytes));
    }

    private static void writeFloatingPointer(LittleEndianBytes table) {
        table.ascii(0, "_MP_")
                .u32(4, MemoryLayout.MPTABLE_ADDR + FLOATING_POINTER_BYTES)
                .u8(8, FLOATING_POINTER_BYTES / 16)   // length in 16-byte paragraphs
                .u8(9, SPEC_REVISION_1_4);
        // Feature bytes stay 0: a configuration table is present and the APIC runs in virtual-wire mode.
        table.u8(10, checksumByte(table, 0, FLOATING_POINTER_BYTES));
    }

    /** The byte that makes [from, to) sum to 0 modulo 256, computed while the checksum field is still 0. */
    private static int checksumByte(LittleEndianBytes table, int from, int to) {
        return (0x100 - table.byteSum(from, to)) & 0xff;
    }
}
