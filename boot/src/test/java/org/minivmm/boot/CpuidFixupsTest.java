package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuidFixupsTest {
    private static final int HTT = 1 << 28;
    private static final int HYPERVISOR = 1 << 31;
    private static final int SIGNIFICANT_INDEX = 1;

    private static final CpuidFixups.CpuidEntry VENDOR = entry(0x0, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69);
    // A host-like leaf 1: host APIC id 0x07 and count 0x10 in EBX, CLFLUSH size 8 in bits 15..8, HTT set.
    private static final CpuidFixups.CpuidEntry FEATURES = entry(0x1, 0x000906ea, 0x0710_0800, 0x7ffafbbf, 0xbfebfbff);
    private static final List<CpuidFixups.CpuidEntry> SUPPORTED = List.of(
            VENDOR,
            FEATURES,
            new CpuidFixups.CpuidEntry(0xb, 0, SIGNIFICANT_INDEX, 1, 2, 0x100, 0x55),
            new CpuidFixups.CpuidEntry(0xb, 1, SIGNIFICANT_INDEX, 4, 8, 0x201, 0x55),
            new CpuidFixups.CpuidEntry(0x1f, 0, SIGNIFICANT_INDEX, 1, 2, 0x100, 0x55));

    @Test
    void leafOneCarriesThisVcpusApicIdAndTheCpuCount() {
        CpuidFixups.CpuidEntry leaf1 = find(CpuidFixups.forVcpu(SUPPORTED, 3, 4), 0x1, 0);

        assertEquals(3, leaf1.ebx() >>> 24, "initial APIC id");
        assertEquals(4, (leaf1.ebx() >>> 16) & 0xff, "logical processor count");
        assertEquals(FEATURES.ebx() & 0xffff, leaf1.ebx() & 0xffff, "low half of EBX kept");
        assertEquals(HTT, leaf1.edx() & HTT);
        assertEquals(HYPERVISOR, leaf1.ecx() & HYPERVISOR);
        assertEquals(FEATURES.ecx(), leaf1.ecx() & ~HYPERVISOR, "other feature bits kept");
        assertEquals(FEATURES.eax(), leaf1.eax());
    }

    @Test
    void aSingleVcpuDoesNotClaimHyperThreading() {
        CpuidFixups.CpuidEntry leaf1 = find(CpuidFixups.forVcpu(SUPPORTED, 0, 1), 0x1, 0);

        assertEquals(0, leaf1.edx() & HTT);
        assertEquals(FEATURES.edx() & ~HTT, leaf1.edx());
        assertEquals(0x0001_0800, leaf1.ebx());
    }

    @Test
    void topologyLeavesReportTheX2apicIdInEverySubleaf() {
        List<CpuidFixups.CpuidEntry> fixed = CpuidFixups.forVcpu(SUPPORTED, 2, 4);

        for (CpuidFixups.CpuidEntry original : SUPPORTED.subList(2, SUPPORTED.size())) {
            CpuidFixups.CpuidEntry entry = find(fixed, original.function(), original.index());
            assertEquals(2, entry.edx());
            assertEquals(new CpuidFixups.CpuidEntry(original.function(), original.index(), original.flags(),
                    original.eax(), original.ebx(), original.ecx(), 2), entry);
        }
    }

    @Test
    void addsTheKvmSignatureWhenMissing() {
        CpuidFixups.CpuidEntry signature = find(CpuidFixups.forVcpu(SUPPORTED, 0, 1), 0x4000_0000, 0);

        assertEquals("KVMKVMKVM\0\0\0", registersAsText(signature));
        assertEquals(0x4000_0001, signature.eax(), "advertises the KVM feature leaf");
    }

    @Test
    void completesAnExistingSignatureLeafWithoutLoweringItsMaximum() {
        List<CpuidFixups.CpuidEntry> withHigherMaximum = new ArrayList<>(SUPPORTED);
        withHigherMaximum.add(new CpuidFixups.CpuidEntry(0x4000_0000, 0, 0, 0x4000_0010, 0, 0, 0));
        List<CpuidFixups.CpuidEntry> withLowMaximum = new ArrayList<>(SUPPORTED);
        withLowMaximum.add(new CpuidFixups.CpuidEntry(0x4000_0000, 0, 0, 0x4000_0000, 1, 2, 3));

        List<CpuidFixups.CpuidEntry> higher = CpuidFixups.forVcpu(withHigherMaximum, 0, 1);
        List<CpuidFixups.CpuidEntry> low = CpuidFixups.forVcpu(withLowMaximum, 0, 1);

        assertEquals(SUPPORTED.size() + 1, higher.size(), "no duplicate signature leaf");
        assertEquals(0x4000_0010, find(higher, 0x4000_0000, 0).eax());
        assertEquals(0x4000_0001, find(low, 0x4000_0000, 0).eax());
        assertEquals("KVMKVMKVM\0\0\0", registersAsText(find(low, 0x4000_0000, 0)));
    }

    @Test
    void keepsOtherLeavesAndTheirOrder() {
        List<CpuidFixups.CpuidEntry> fixed = CpuidFixups.forVcpu(SUPPORTED, 1, 2);

        assertEquals(VENDOR, fixed.get(0));
        assertEquals(SUPPORTED.stream().map(CpuidFixups.CpuidEntry::function).toList(),
                fixed.subList(0, SUPPORTED.size()).stream().map(CpuidFixups.CpuidEntry::function).toList());
    }

    @Test
    void leavesTheSupportedListUntouched() {
        List<CpuidFixups.CpuidEntry> supported = new ArrayList<>(SUPPORTED);

        CpuidFixups.forVcpu(supported, 1, 2);

        assertEquals(SUPPORTED, supported);
    }

    @Test
    void rejectsAnIndexOutsideTheCount() {
        assertThrows(IllegalArgumentException.class, () -> CpuidFixups.forVcpu(SUPPORTED, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CpuidFixups.forVcpu(SUPPORTED, -1, 2));
        assertThrows(IllegalArgumentException.class, () -> CpuidFixups.forVcpu(SUPPORTED, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> CpuidFixups.forVcpu(SUPPORTED, 0, 256));
    }

    private static CpuidFixups.CpuidEntry entry(int function, int eax, int ebx, int ecx, int edx) {
        return new CpuidFixups.CpuidEntry(function, 0, 0, eax, ebx, ecx, edx);
    }

    private static CpuidFixups.CpuidEntry find(List<CpuidFixups.CpuidEntry> entries, int function, int index) {
        return entries.stream()
                .filter(e -> e.function() == function && e.index() == index)
                .reduce((a, b) -> {
                    throw new AssertionError("duplicate leaf " + Integer.toHexString(function));
                })
                .orElseThrow(() -> new AssertionError("missing leaf " + Integer.toHexString(function)));
    }

    private static String registersAsText(CpuidFixups.CpuidEntry entry) {
        ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(entry.ebx()).putInt(entry.ecx()).putInt(entry.edx());
        return new String(bytes.array(), StandardCharsets.US_ASCII);
    }
}
