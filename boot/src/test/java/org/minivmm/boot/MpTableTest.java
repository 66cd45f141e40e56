package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.minivmm.boot.TestBytes.ascii;
import static org.minivmm.boot.TestBytes.byteSum;
import static org.minivmm.boot.TestBytes.u16;
import static org.minivmm.boot.TestBytes.u32;
import static org.minivmm.boot.TestBytes.u8;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Structure layouts from the Intel MultiProcessor Specification 1.4, chapter 4. */
class MpTableTest {
    private static final int PROCESSOR = 0;
    private static final int BUS = 1;
    private static final int IOAPIC = 2;
    private static final int IO_INTERRUPT = 3;
    private static final int LOCAL_INTERRUPT = 4;
    private static final Map<Integer, Integer> ENTRY_BYTES =
            Map.of(PROCESSOR, 20, BUS, 8, IOAPIC, 8, IO_INTERRUPT, 8, LOCAL_INTERRUPT, 8);
    private static final int CONFIG = 16;

    private record Entry(int type, int offset) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 32})
    void floatingPointerIsValidAndPointsAtTheConfigurationTable(int cpus) {
        GuestBlob table = MpTable.build(cpus);

        assertEquals(MemoryLayout.MPTABLE_ADDR, table.address());
        assertEquals("_MP_", ascii(table, 0, 4));
        assertEquals(table.address() + CONFIG, u32(table, 4), "physical address pointer");
        assertEquals(1, u8(table, 8), "length in 16-byte units");
        assertEquals(4, u8(table, 9), "spec revision 1.4");
        assertEquals(0, byteSum(table, 0, 16), "checksum");
        assertEquals(0, u8(table, 11), "feature byte 1: a configuration table is present");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 32})
    void configurationTableIsValidAndCountsItsEntries(int cpus) {
        GuestBlob table = MpTable.build(cpus);
        int length = u16(table, CONFIG + 4);

        assertEquals("PCMP", ascii(table, CONFIG, 4));
        assertEquals(table.bytes().length - CONFIG, length, "base table length");
        assertEquals(4, u8(table, CONFIG + 6), "spec revision 1.4");
        assertEquals(0, byteSum(table, CONFIG, CONFIG + length), "checksum");
        assertEquals(MemoryLayout.LAPIC_ADDR, u32(table, CONFIG + 36), "local APIC address");
        assertEquals(entries(table).size(), u16(table, CONFIG + 34), "entry count");
        assertEquals(cpus, count(table, PROCESSOR));
        assertEquals(1, count(table, BUS));
        assertEquals(1, count(table, IOAPIC));
        assertEquals(16, count(table, IO_INTERRUPT));
        assertEquals(2, count(table, LOCAL_INTERRUPT));
    }

    @Test
    void describesEachCpuWithTheFirstAsBootstrapProcessor() {
        GuestBlob table = MpTable.build(3);
        List<Entry> processors = entries(table).stream().filter(e -> e.type() == PROCESSOR).toList();

        for (int cpu = 0; cpu < processors.size(); cpu++) {
            int at = processors.get(cpu).offset();
            assertEquals(cpu, u8(table, at + 1), "local APIC id");
            assertEquals(0x14, u8(table, at + 2), "local APIC version");
            assertEquals(cpu == 0 ? 0b11 : 0b01, u8(table, at + 3), "enabled, bootstrap only for cpu 0");
            assertEquals(0x201, u32(table, at + 8), "FPU and APIC feature flags");
        }
    }

    @Test
    void routesIsaIrqsToTheMatchingIoapicPins() {
        int cpus = 4;
        GuestBlob table = MpTable.build(cpus);
        Entry bus = only(table, BUS);
        Entry ioapic = only(table, IOAPIC);

        assertEquals("ISA   ", ascii(table, bus.offset() + 2, 6));
        assertEquals(cpus, u8(table, ioapic.offset() + 1), "IOAPIC id follows the CPUs' APIC ids");
        assertEquals(0x11, u8(table, ioapic.offset() + 2));
        assertEquals(1, u8(table, ioapic.offset() + 3), "enabled");
        assertEquals(MemoryLayout.IOAPIC_ADDR, u32(table, ioapic.offset() + 4));

        List<Entry> interrupts = entries(table).stream().filter(e -> e.type() == IO_INTERRUPT).toList();
        for (int irq = 0; irq < interrupts.size(); irq++) {
            int at = interrupts.get(irq).offset();
            assertEquals(0, u8(table, at + 1), "vectored interrupt");
            assertEquals(u8(table, bus.offset() + 1), u8(table, at + 4), "from the ISA bus");
            assertEquals(irq, u8(table, at + 5), "source IRQ");
            assertEquals(cpus, u8(table, at + 6), "to the IOAPIC");
            assertEquals(irq, u8(table, at + 7), "pin");
        }
    }

    @Test
    void wiresExtIntToLint0AndNmiToLint1OfEveryCpu() {
        GuestBlob table = MpTable.build(2);
        List<Entry> local = entries(table).stream().filter(e -> e.type() == LOCAL_INTERRUPT).toList();

        assertEquals(List.of(3, 1), local.stream().map(e -> u8(table, e.offset() + 1)).toList(), "ExtINT, NMI");
        assertEquals(List.of(0xff, 0xff), local.stream().map(e -> u8(table, e.offset() + 6)).toList());
        assertEquals(List.of(0, 1), local.stream().map(e -> u8(table, e.offset() + 7)).toList(), "LINT pins");
    }

    @Test
    void maxCpusIsTheMostThatFitInTheLastKibibyteOfBaseMemory() {
        assertTrue(MpTable.MAX_CPUS >= 32);
        int fixed = 16 + 44 + 8 + 8 + 16 * 8 + 2 * 8;
        assertTrue(fixed + 20 * MpTable.MAX_CPUS <= 1024);
        assertTrue(fixed + 20 * (MpTable.MAX_CPUS + 1) > 1024);

        GuestBlob largest = MpTable.build(MpTable.MAX_CPUS);
        assertTrue(largest.address() + largest.bytes().length <= 0xa0000);
    }

    @Test
    void rejectsCpuCountsOutsideTheLimit() {
        IllegalArgumentException tooMany =
                assertThrows(IllegalArgumentException.class, () -> MpTable.build(MpTable.MAX_CPUS + 1));
        assertTrue(tooMany.getMessage().contains(String.valueOf(MpTable.MAX_CPUS)), tooMany.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MpTable.build(0));
    }

    /** Walks the entries after the 44-byte header, sized by type as the specification gives them. */
    private static List<Entry> entries(GuestBlob table) {
        List<Entry> entries = new ArrayList<>();
        int end = CONFIG + u16(table, CONFIG + 4);
        for (int at = CONFIG + 44; at < end; ) {
            int type = u8(table, at);
            entries.add(new Entry(type, at));
            at += ENTRY_BYTES.get(type);
            assertTrue(at <= end, "entry runs past the table");
        }
        return entries;
    }

    private static long count(GuestBlob table, int type) {
        return entries(table).stream().filter(e -> e.type() == type).count();
    }

    private static Entry only(GuestBlob table, int type) {
        List<Entry> matching = entries(table).stream().filter(e -> e.type() == type).toList();
        assertEquals(1, matching.size());
        return matching.get(0);
    }
}
