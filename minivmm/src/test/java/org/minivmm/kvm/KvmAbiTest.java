package org.minivmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.minivmm.abi.CHeaderValues;

/**
 * Compiles a C program against the host's {@code <linux/kvm.h>} that prints each ioctl number, struct
 * size and field offset, and compares them with {@link KvmAbi}. Every constant in KvmAbi must be checked here.
 */
class KvmAbiTest {
    /** KvmAbi constant → the C expression that must have the same value. */
    private static final Map<String, String> C_EXPRESSIONS = new LinkedHashMap<>();

    /** Constants that no uapi header defines, with where their values come from instead. */
    private static final Map<String, String> NOT_IN_UAPI = Map.of(
            "APIC_LVT_LINT0", "Intel SDM vol. 3, local APIC register map: LVT LINT0 at 0x350",
            "APIC_LVT_LINT1", "Intel SDM vol. 3, local APIC register map: LVT LINT1 at 0x360");

    static {
        expect("EXPECTED_API_VERSION", "KVM_API_VERSION");
        for (String size : new String[] {"CPUID2_HEADER_SIZE:kvm_cpuid2", "CPUID_ENTRY2_SIZE:kvm_cpuid_entry2",
                "USERSPACE_MEMORY_REGION_SIZE:kvm_userspace_memory_region", "REGS_SIZE:kvm_regs", "SREGS_SIZE:kvm_sregs",
                "SEGMENT_SIZE:kvm_segment", "PIT_CONFIG_SIZE:kvm_pit_config", "IRQ_LEVEL_SIZE:kvm_irq_level",
                "LAPIC_STATE_SIZE:kvm_lapic_state", "IOEVENTFD_SIZE:kvm_ioeventfd", "IRQFD_SIZE:kvm_irqfd"}) {
            String[] parts = size.split(":");
            expect(parts[0], "sizeof(struct " + parts[1] + ")");
        }
        for (String ioctl : new String[] {"KVM_GET_API_VERSION", "KVM_CREATE_VM", "KVM_CHECK_EXTENSION",
                "KVM_GET_VCPU_MMAP_SIZE", "KVM_GET_SUPPORTED_CPUID", "KVM_CREATE_VCPU", "KVM_SET_USER_MEMORY_REGION",
                "KVM_SET_TSS_ADDR", "KVM_SET_IDENTITY_MAP_ADDR", "KVM_CREATE_IRQCHIP", "KVM_IRQ_LINE", "KVM_CREATE_PIT2",
                "KVM_RUN", "KVM_GET_REGS", "KVM_SET_REGS", "KVM_GET_SREGS", "KVM_SET_SREGS", "KVM_GET_LAPIC",
                "KVM_SET_LAPIC", "KVM_SET_CPUID2", "KVM_CAP_IRQCHIP", "KVM_CAP_USER_MEMORY", "KVM_CAP_SET_TSS_ADDR",
                "KVM_CAP_EXT_CPUID", "KVM_CAP_NR_MEMSLOTS", "KVM_CAP_PIT2", "KVM_CAP_SET_IDENTITY_MAP_ADDR",
                "KVM_CAP_IMMEDIATE_EXIT", "KVM_PIT_SPEAKER_DUMMY", "KVM_MEM_READONLY", "KVM_EXIT_IO_OUT",
                "KVM_IRQFD", "KVM_IOEVENTFD", "KVM_CAP_IRQFD", "KVM_CAP_IOEVENTFD", "KVM_IOEVENTFD_FLAG_DATAMATCH"}) {
            expect(ioctl, ioctl);
        }
        offsets("REGION_", "kvm_userspace_memory_region", "SLOT:slot", "FLAGS:flags", "GUEST_PHYS_ADDR:guest_phys_addr",
                "MEMORY_SIZE:memory_size", "USERSPACE_ADDR:userspace_addr");
        offsets("RUN_", "kvm_run", "IMMEDIATE_EXIT:immediate_exit", "EXIT_REASON:exit_reason",
                "IO_DIRECTION:io.direction", "IO_SIZE:io.size", "IO_PORT:io.port", "IO_COUNT:io.count",
                "IO_DATA_OFFSET:io.data_offset", "MMIO_PHYS_ADDR:mmio.phys_addr", "MMIO_DATA:mmio.data",
                "MMIO_LEN:mmio.len", "MMIO_IS_WRITE:mmio.is_write", "INTERNAL_SUBERROR:internal.suberror",
                "FAIL_ENTRY_REASON:fail_entry.hardware_entry_failure_reason", "SYSTEM_EVENT_TYPE:system_event.type");
        offsets("SREGS_", "kvm_sregs", "CS:cs", "DS:ds", "ES:es", "FS:fs", "GS:gs", "SS:ss", "TR:tr", "LDT:ldt",
                "GDT:gdt", "IDT:idt", "CR0:cr0", "CR3:cr3", "CR4:cr4", "EFER:efer");
        offsets("SEGMENT_", "kvm_segment", "BASE:base", "LIMIT:limit", "SELECTOR:selector", "TYPE:type",
                "PRESENT:present", "DPL:dpl", "DB:db", "S:s", "L:l", "G:g", "AVL:avl", "UNUSABLE:unusable");
        offsets("DTABLE_", "kvm_dtable", "BASE:base", "LIMIT:limit");
        offsets("REGS_", "kvm_regs", "RSP:rsp", "RSI:rsi", "RIP:rip", "RFLAGS:rflags");
        offsets("CPUID_", "kvm_cpuid_entry2", "FUNCTION:function", "INDEX:index", "FLAGS:flags", "EAX:eax",
                "EBX:ebx", "ECX:ecx", "EDX:edx");
        offsets("IRQ_LEVEL_", "kvm_irq_level", "IRQ:irq", "LEVEL:level");
        offsets("IOEVENTFD_", "kvm_ioeventfd", "DATAMATCH:datamatch", "ADDR:addr", "LEN:len", "FD:fd", "FLAGS:flags");
        offsets("IRQFD_", "kvm_irqfd", "FD:fd", "GSI:gsi");
    }

    private static void expect(String javaName, String cExpression) {
        C_EXPRESSIONS.put(javaName, cExpression);
    }

    private static void offsets(String prefix, String struct, String... fields) {
        for (String field : fields) {
            String[] parts = field.split(":");
            expect(prefix + parts[0], "offsetof(struct " + struct + ", " + parts[1] + ")");
        }
    }

    @Test
    void everyConstantMatchesTheKernelHeader(@TempDir Path work) throws Exception {
        Map<String, Long> fromC = CHeaderValues.compute(work, List.of("linux/kvm.h"), C_EXPRESSIONS);
        Map<String, Long> fromJava = CHeaderValues.javaConstants(KvmAbi.class);
        for (Map.Entry<String, String> expected : C_EXPRESSIONS.entrySet()) {
            assertEquals(fromC.get(expected.getKey()), fromJava.get(expected.getKey()),
                    () -> "KvmAbi." + expected.getKey() + " differs from " + expected.getValue());
        }
    }

    @Test
    void noConstantEscapesTheComparison() throws IllegalAccessException {
        Set<String> unchecked = new TreeSet<>(CHeaderValues.javaConstants(KvmAbi.class).keySet());
        unchecked.removeAll(C_EXPRESSIONS.keySet());
        unchecked.removeAll(NOT_IN_UAPI.keySet());
        assertTrue(unchecked.isEmpty(), "KvmAbi constants with no C counterpart in this test: " + unchecked);
    }
}
