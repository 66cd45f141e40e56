package org.minivmm.boot;

import java.util.ArrayList;
import java.util.List;

/**
 * Adjusts the CPUID table KVM reports as supported into the one a particular vCPU should see
 * (KVM_SET_CPUID2). KVM leaves the per-CPU and topology fields to the VMM.
 */
public final class CpuidFixups {
    /** One kvm_cpuid_entry2; {@code flags} is its flags field (e.g. KVM_CPUID_FLAG_SIGNIFCANT_INDEX). */
    public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    }

    private static final int LEAF_FEATURES = 0x1;
    private static final int LEAF_EXTENDED_TOPOLOGY = 0xb;
    private static final int LEAF_EXTENDED_TOPOLOGY_V2 = 0x1f;
    private static final int LEAF_HYPERVISOR_SIGNATURE = 0x4000_0000;
    private static final int LEAF_KVM_FEATURES = 0x4000_0001;

    private static final int EBX_APIC_ID_SHIFT = 24;
    private static final int EBX_LOGICAL_COUNT_SHIFT = 16;
    private static final int EBX_APIC_ID_AND_COUNT_MASK = 0xffff_0000;
    private static final int EDX_HTT = 1 << 28;
    private static final int ECX_HYPERVISOR = 1 << 31;

    // "KVMKVMKVM\0\0\0" as the three little-endian registers EBX, ECX, EDX.
    private static final int KVM_SIGNATURE_EBX = 0x4b4d564b;
    private static final int KVM_SIGNATURE_ECX = 0x564b4d56;
    private static final int KVM_SIGNATURE_EDX = 0x0000004d;

    // Leaf 1 has eight bits for the initial APIC ID and for the logical processor count.
    private static final int MAX_VCPUS = 255;

    private CpuidFixups() {
    }

    /** The CPUID entries for vCPU {@code vcpuIndex} of {@code vcpuCount}; {@code supported} is left untouched. */
    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int vcpuIndex, int vcpuCount) {
        if (vcpuCount < 1 || vcpuCount > MAX_VCPUS) {
            throw new IllegalArgumentException("vCPU count " + vcpuCount + " is outside 1.." + MAX_VCPUS);
        }
        if (vcpuIndex < 0 || vcpuIndex >= vcpuCount) {
            throw new IllegalArgumentException("vCPU index " + vcpuIndex + " is outside 0.." + (vcpuCount - 1));
        }
        List<CpuidEntry> entries = new ArrayList<>(supported.size() + 1);
        boolean hasSignature = false;
        for (CpuidEntry entry : supported) {
            switch (entry.function()) {
                case LEAF_FEATURES -> entries.add(features(entry, vcpuIndex, vcpuCount));
                // Linux derives each CPU's x2APIC ID, and so its topology, from EDX of these leaves.
                case LEAF_EXTENDED_TOPOLOGY, LEAF_EXTENDED_TOPOLOGY_V2 -> entries.add(withEdx(entry, vcpuIndex));
                case LEAF_HYPERVISOR_SIGNATURE -> {
                    entries.add(kvmSignature(entry));
                    hasSignature = true;
                }
                default -> entries.add(entry);
            }
        }
        if (!hasSignature) {
            entries.add(kvmSignature(new CpuidEntry(LEAF_HYPERVISOR_SIGNATURE, 0, 0, 0, 0, 0, 0)));
        }
        return List.copyOf(entries);
    }

    private static CpuidEntry features(CpuidEntry entry, int vcpuIndex, int vcpuCount) {
        // Linux reads its initial APIC ID and the package's logical CPU count from EBX.
        int ebx = (entry.ebx() & ~EBX_APIC_ID_AND_COUNT_MASK)
                | (vcpuIndex << EBX_APIC_ID_SHIFT)
                | (vcpuCount << EBX_LOGICAL_COUNT_SHIFT);
        // HTT says the logical count in EBX is meaningful, i.e. the package has more than one CPU.
        int edx = vcpuCount > 1 ? entry.edx() | EDX_HTT : entry.edx() & ~EDX_HTT;
        // The hypervisor bit makes Linux look for paravirtual features (kvmclock, PV EOI, ...).
        int ecx = entry.ecx() | ECX_HYPERVISOR;
        return new CpuidEntry(entry.function(), entry.index(), entry.flags(), entry.eax(), ebx, ecx, edx);
    }

    private static CpuidEntry withEdx(CpuidEntry entry, int edx) {
        return new CpuidEntry(entry.function(), entry.index(), entry.flags(), entry.eax(), entry.ebx(), entry.ecx(), edx);
    }

    // Linux enables its KVM guest support only when it finds this signature at 0x40000000.
    private static CpuidEntry kvmSignature(CpuidEntry entry) {
        int maxLeaf = Integer.compareUnsigned(entry.eax(), LEAF_KVM_FEATURES) < 0 ? LEAF_KVM_FEATURES : entry.eax();
        return new CpuidEntry(entry.function(), entry.index(), entry.flags(), maxLeaf,
                KVM_SIGNATURE_EBX, KVM_SIGNATURE_ECX, KVM_SIGNATURE_EDX);
    }
}
