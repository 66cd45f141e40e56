package org.minivmm.kvm;

/**
 * Ioctl numbers, struct sizes and field offsets from {@code <linux/kvm.h>} (x86-64). Getting one of
 * these subtly wrong corrupts memory silently, so KvmAbiTest compiles a C program against the real
 * header and compares every value here with what gcc says.
 */
final class KvmAbi {
    private KvmAbi() {
    }

    private static final int KVMIO = 0xAE;

    static long io(int nr) {
        return ioc(0, nr, 0);
    }

    static long ior(int nr, int size) {
        return ioc(2, nr, size);
    }

    static long iow(int nr, int size) {
        return ioc(1, nr, size);
    }

    static long iowr(int nr, int size) {
        return ioc(3, nr, size);
    }

    private static long ioc(int direction, int nr, int size) {
        return ((long) direction << 30) | ((long) size << 16) | (KVMIO << 8) | nr;
    }

    static final int EXPECTED_API_VERSION = 12;

    // Struct sizes.
    static final int CPUID2_HEADER_SIZE = 8;
    static final int CPUID_ENTRY2_SIZE = 40;
    static final int USERSPACE_MEMORY_REGION_SIZE = 32;
    static final int REGS_SIZE = 144;
    static final int SREGS_SIZE = 312;
    static final int SEGMENT_SIZE = 24;
    static final int PIT_CONFIG_SIZE = 64;
    static final int IRQ_LEVEL_SIZE = 8;
    static final int LAPIC_STATE_SIZE = 1024;
    static final int IOEVENTFD_SIZE = 64;
    static final int IRQFD_SIZE = 32;

    // System ioctls.
    static final long KVM_GET_API_VERSION = io(0x00);
    static final long KVM_CREATE_VM = io(0x01);
    static final long KVM_CHECK_EXTENSION = io(0x03);
    static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    static final long KVM_GET_SUPPORTED_CPUID = iowr(0x05, CPUID2_HEADER_SIZE);

    // VM ioctls.
    static final long KVM_CREATE_VCPU = io(0x41);
    static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, USERSPACE_MEMORY_REGION_SIZE);
    static final long KVM_SET_TSS_ADDR = io(0x47);
    static final long KVM_SET_IDENTITY_MAP_ADDR = iow(0x48, 8);
    static final long KVM_CREATE_IRQCHIP = io(0x60);
    static final long KVM_IRQ_LINE = iow(0x61, IRQ_LEVEL_SIZE);
    static final long KVM_CREATE_PIT2 = iow(0x77, PIT_CONFIG_SIZE);
    static final long KVM_IRQFD = iow(0x76, IRQFD_SIZE);
    static final long KVM_IOEVENTFD = iow(0x79, IOEVENTFD_SIZE);

    // vCPU ioctls.
    static final long KVM_RUN = io(0x80);
    static final long KVM_GET_REGS = ior(0x81, REGS_SIZE);
    static final long KVM_SET_REGS = iow(0x82, REGS_SIZE);
    static final long KVM_GET_SREGS = ior(0x83, SREGS_SIZE);
    static final long KVM_SET_SREGS = iow(0x84, SREGS_SIZE);
    static final long KVM_GET_LAPIC = ior(0x8e, LAPIC_STATE_SIZE);
    static final long KVM_SET_LAPIC = iow(0x8f, LAPIC_STATE_SIZE);
    static final long KVM_SET_CPUID2 = iow(0x90, CPUID2_HEADER_SIZE);

    // Capabilities (KVM_CHECK_EXTENSION arguments).
    static final int KVM_CAP_IRQCHIP = 0;
    static final int KVM_CAP_USER_MEMORY = 3;
    static final int KVM_CAP_SET_TSS_ADDR = 4;
    static final int KVM_CAP_EXT_CPUID = 7;
    static final int KVM_CAP_NR_MEMSLOTS = 10;
    static final int KVM_CAP_PIT2 = 33;
    static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    static final int KVM_CAP_IRQFD = 32;
    static final int KVM_CAP_IOEVENTFD = 36;

    static final int KVM_PIT_SPEAKER_DUMMY = 1;

    // struct kvm_userspace_memory_region
    static final int REGION_SLOT = 0;
    static final int REGION_FLAGS = 4;
    static final int REGION_GUEST_PHYS_ADDR = 8;
    static final int REGION_MEMORY_SIZE = 16;
    static final int REGION_USERSPACE_ADDR = 24;
    static final int KVM_MEM_READONLY = 1 << 1;

    // struct kvm_run
    static final int RUN_IMMEDIATE_EXIT = 1;
    static final int RUN_EXIT_REASON = 8;
    static final int RUN_IO_DIRECTION = 32;
    static final int RUN_IO_SIZE = 33;
    static final int RUN_IO_PORT = 34;
    static final int RUN_IO_COUNT = 36;
    static final int RUN_IO_DATA_OFFSET = 40;
    static final int RUN_MMIO_PHYS_ADDR = 32;
    static final int RUN_MMIO_DATA = 40;
    static final int RUN_MMIO_LEN = 48;
    static final int RUN_MMIO_IS_WRITE = 52;
    static final int RUN_INTERNAL_SUBERROR = 32;
    static final int RUN_FAIL_ENTRY_REASON = 32;
    static final int RUN_SYSTEM_EVENT_TYPE = 32;
    static final int KVM_EXIT_IO_OUT = 1;

    // struct kvm_sregs: eight segments, then the descriptor tables and control registers.
    static final int SREGS_CS = 0;
    static final int SREGS_DS = 24;
    static final int SREGS_ES = 48;
    static final int SREGS_FS = 72;
    static final int SREGS_GS = 96;
    static final int SREGS_SS = 120;
    static final int SREGS_TR = 144;
    static final int SREGS_LDT = 168;
    static final int SREGS_GDT = 192;
    static final int SREGS_IDT = 208;
    static final int SREGS_CR0 = 224;
    static final int SREGS_CR3 = 240;
    static final int SREGS_CR4 = 248;
    static final int SREGS_EFER = 264;

    // struct kvm_segment
    static final int SEGMENT_BASE = 0;
    static final int SEGMENT_LIMIT = 8;
    static final int SEGMENT_SELECTOR = 12;
    static final int SEGMENT_TYPE = 14;
    static final int SEGMENT_PRESENT = 15;
    static final int SEGMENT_DPL = 16;
    static final int SEGMENT_DB = 17;
    static final int SEGMENT_S = 18;
    static final int SEGMENT_L = 19;
    static final int SEGMENT_G = 20;
    static final int SEGMENT_AVL = 21;
    static final int SEGMENT_UNUSABLE = 22;

    // struct kvm_dtable
    static final int DTABLE_BASE = 0;
    static final int DTABLE_LIMIT = 8;

    // struct kvm_regs: sixteen general registers in this order, then rip and rflags.
    static final int REGS_RSP = 48;
    static final int REGS_RSI = 32;
    static final int REGS_RIP = 128;
    static final int REGS_RFLAGS = 136;

    // struct kvm_cpuid_entry2
    static final int CPUID_FUNCTION = 0;
    static final int CPUID_INDEX = 4;
    static final int CPUID_FLAGS = 8;
    static final int CPUID_EAX = 12;
    static final int CPUID_EBX = 16;
    static final int CPUID_ECX = 20;
    static final int CPUID_EDX = 24;

    // struct kvm_ioeventfd
    static final int IOEVENTFD_DATAMATCH = 0;
    static final int IOEVENTFD_ADDR = 8;
    static final int IOEVENTFD_LEN = 16;
    static final int IOEVENTFD_FD = 20;
    static final int IOEVENTFD_FLAGS = 24;
    static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1;

    // struct kvm_irqfd
    static final int IRQFD_FD = 0;
    static final int IRQFD_GSI = 4;

    // struct kvm_irq_level
    static final int IRQ_LEVEL_IRQ = 0;
    static final int IRQ_LEVEL_LEVEL = 4;

    // Local APIC registers inside struct kvm_lapic_state: the LVT entries for LINT0 and LINT1.
    static final int APIC_LVT_LINT0 = 0x350;
    static final int APIC_LVT_LINT1 = 0x360;
}
