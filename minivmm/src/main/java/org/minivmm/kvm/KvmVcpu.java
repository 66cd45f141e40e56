package org.minivmm.kvm;

import static org.minivmm.kvm.KvmAbi.*;

import java.nio.ByteBuffer;
import java.util.List;
import org.minivmm.boot.CpuidFixups.CpuidEntry;
import org.minivmm.boot.LongModeEntry.CpuState;
import org.minivmm.boot.LongModeEntry.Segment;
import org.minivmm.host.Host;
import org.minivmm.host.LibC;
import org.minivmm.host.Mmap;

/** One virtual CPU: its registers, its CPUID, and KVM_RUN with the shared kvm_run page. */
public final class KvmVcpu implements AutoCloseable {
    // Exit reasons (KVM_EXIT_*) the VMM handles.
    public static final int EXIT_IO = 2;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_INTERNAL_ERROR = 17;
    public static final int EXIT_SYSTEM_EVENT = 24;

    /** What {@link #run()} returns when a signal interrupted KVM_RUN before or during guest execution. */
    public static final int INTERRUPTED = -1;

    private static final int APIC_MODE_EXTINT = 0x7;
    private static final int APIC_MODE_NMI = 0x4;

    private final int index;
    private final int fd;
    private final long runAddress;
    private final int runSize;

    KvmVcpu(int index, int fd, int runSize) {
        this.index = index;
        this.fd = fd;
        this.runSize = runSize;
        this.runAddress = Mmap.map(0, runSize, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, fd, 0, "kvm_run");
    }

    public int index() {
        return index;
    }

    public void setCpuid(List<CpuidEntry> entries) {
        ByteBuffer buffer = Structs.allocate(CPUID2_HEADER_SIZE + entries.size() * CPUID_ENTRY2_SIZE);
        buffer.putInt(0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry entry = entries.get(i);
            int at = CPUID2_HEADER_SIZE + i * CPUID_ENTRY2_SIZE;
            buffer.putInt(at + CPUID_FUNCTION, entry.function());
            buffer.putInt(at + CPUID_INDEX, entry.index());
            buffer.putInt(at + CPUID_FLAGS, entry.flags());
            buffer.putInt(at + CPUID_EAX, entry.eax());
            buffer.putInt(at + CPUID_EBX, entry.ebx());
            buffer.putInt(at + CPUID_ECX, entry.ecx());
            buffer.putInt(at + CPUID_EDX, entry.edx());
        }
        Host.ioctl(fd, "KVM_SET_CPUID2", KVM_SET_CPUID2, buffer);
    }

    /** Puts the vCPU in the state {@code state} describes, keeping what KVM initialised that it does not name. */
    public void enter(CpuState state) {
        ByteBuffer sregs = Structs.allocate(SREGS_SIZE);
        Host.ioctl(fd, "KVM_GET_SREGS", KVM_GET_SREGS, sregs);
        putSegment(sregs, SREGS_CS, state.code());
        for (int data : new int[] {SREGS_DS, SREGS_ES, SREGS_FS, SREGS_GS, SREGS_SS}) {
            putSegment(sregs, data, state.data());
        }
        putSegment(sregs, SREGS_TR, state.tss());
        sregs.putLong(SREGS_GDT + DTABLE_BASE, state.gdtBase());
        sregs.putShort(SREGS_GDT + DTABLE_LIMIT, (short) state.gdtLimit());
        sregs.putLong(SREGS_IDT + DTABLE_BASE, state.idtBase());
        sregs.putShort(SREGS_IDT + DTABLE_LIMIT, (short) state.idtLimit());
        sregs.putLong(SREGS_CR0, state.cr0());
        sregs.putLong(SREGS_CR3, state.cr3());
        sregs.putLong(SREGS_CR4, state.cr4());
        sregs.putLong(SREGS_EFER, state.efer());
        Host.ioctl(fd, "KVM_SET_SREGS", KVM_SET_SREGS, sregs);

        ByteBuffer regs = Structs.allocate(REGS_SIZE);
        regs.putLong(REGS_RIP, state.rip());
        regs.putLong(REGS_RSP, state.rsp());
        regs.putLong(REGS_RSI, state.rsi());
        regs.putLong(REGS_RFLAGS, state.rflags());
        Host.ioctl(fd, "KVM_SET_REGS", KVM_SET_REGS, regs);
    }

    private static void putSegment(ByteBuffer sregs, int at, Segment segment) {
        sregs.putLong(at + SEGMENT_BASE, segment.base());
        sregs.putInt(at + SEGMENT_LIMIT, segment.limit());
        sregs.putShort(at + SEGMENT_SELECTOR, (short) segment.selector());
        sregs.put(at + SEGMENT_TYPE, (byte) segment.type());
        sregs.put(at + SEGMENT_PRESENT, flag(segment.present()));
        sregs.put(at + SEGMENT_DPL, (byte) segment.dpl());
        sregs.put(at + SEGMENT_DB, flag(segment.db()));
        sregs.put(at + SEGMENT_S, flag(segment.s()));
        sregs.put(at + SEGMENT_L, flag(segment.l()));
        sregs.put(at + SEGMENT_G, flag(segment.g()));
        sregs.put(at + SEGMENT_AVL, flag(segment.avl()));
        sregs.put(at + SEGMENT_UNUSABLE, (byte) 0);
    }

    private static byte flag(boolean value) {
        return (byte) (value ? 1 : 0);
    }

    /**
     * Wires LINT0 to ExtINT and LINT1 to NMI, as a BIOS would: Linux expects the PIC's interrupts to reach
     * the boot CPU through LINT0 until it switches to the IOAPIC.
     */
    public void wireLocalInterrupts() {
        ByteBuffer lapic = Structs.allocate(LAPIC_STATE_SIZE);
        Host.ioctl(fd, "KVM_GET_LAPIC", KVM_GET_LAPIC, lapic);
        lapic.putInt(APIC_LVT_LINT0, withDeliveryMode(lapic.getInt(APIC_LVT_LINT0), APIC_MODE_EXTINT));
        lapic.putInt(APIC_LVT_LINT1, withDeliveryMode(lapic.getInt(APIC_LVT_LINT1), APIC_MODE_NMI));
        Host.ioctl(fd, "KVM_SET_LAPIC", KVM_SET_LAPIC, lapic);
    }

    private static int withDeliveryMode(int lvt, int mode) {
        return (lvt & ~0x700) | (mode << 8);
    }

    /** Enters the guest until its next exit; returns the exit reason, or {@link #INTERRUPTED}. */
    public int run() {
        if (LibC.ioctl(fd, KVM_RUN, 0) < 0) {
            int errno = Host.errno();
            if (errno == Host.EINTR || errno == Host.EAGAIN) {
                return INTERRUPTED;
            }
            throw Host.failure("KVM_RUN on vCPU " + index);
        }
        return LibC.getInt(runAddress + RUN_EXIT_REASON);
    }

    /** Makes the next (or current, once a signal lands) KVM_RUN return at once. */
    public void requestImmediateExit() {
        LibC.putByte(runAddress + RUN_IMMEDIATE_EXIT, (byte) 1);
    }

    // The exit's details, read straight from the kvm_run page; valid until the next run().

    public boolean ioIsOut() {
        return LibC.getByte(runAddress + RUN_IO_DIRECTION) == KVM_EXIT_IO_OUT;
    }

    public int ioSize() {
        return LibC.getByte(runAddress + RUN_IO_SIZE);
    }

    public int ioPort() {
        return Short.toUnsignedInt(LibC.getShort(runAddress + RUN_IO_PORT));
    }

    public int ioCount() {
        return LibC.getInt(runAddress + RUN_IO_COUNT);
    }

    /** Copies the data of the {@code index}th access of a port exit into {@code data}. */
    public void readIoData(int index, byte[] data) {
        LibC.getBytes(ioDataAddress(index, data), data);
    }

    /** Hands the data of the {@code index}th access of a port read back to the guest. */
    public void writeIoData(int index, byte[] data) {
        LibC.putBytes(ioDataAddress(index, data), data);
    }

    private long ioDataAddress(int index, byte[] data) {
        return runAddress + LibC.getLong(runAddress + RUN_IO_DATA_OFFSET) + (long) index * data.length;
    }

    public long mmioAddress() {
        return LibC.getLong(runAddress + RUN_MMIO_PHYS_ADDR);
    }

    public int mmioLength() {
        return LibC.getInt(runAddress + RUN_MMIO_LEN);
    }

    public boolean mmioIsWrite() {
        return LibC.getByte(runAddress + RUN_MMIO_IS_WRITE) != 0;
    }

    public void readMmioData(byte[] data) {
        LibC.getBytes(runAddress + RUN_MMIO_DATA, data);
    }

    public void writeMmioData(byte[] data) {
        LibC.putBytes(runAddress + RUN_MMIO_DATA, data);
    }

    public int internalErrorSuberror() {
        return LibC.getInt(runAddress + RUN_INTERNAL_SUBERROR);
    }

    public long failEntryReason() {
        return LibC.getLong(runAddress + RUN_FAIL_ENTRY_REASON);
    }

    public int systemEventType() {
        return LibC.getInt(runAddress + RUN_SYSTEM_EVENT_TYPE);
    }

    /** The guest's instruction pointer, for error reports. */
    public long rip() {
        ByteBuffer regs = Structs.allocate(REGS_SIZE);
        Host.ioctl(fd, "KVM_GET_REGS", KVM_GET_REGS, regs);
        return regs.getLong(REGS_RIP);
    }

    @Override
    public void close() {
        Mmap.unmap(runAddress, runSize);
        Host.close(fd);
    }
}
