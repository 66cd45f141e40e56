package org.minivmm.kvm;

import static org.minivmm.kvm.KvmAbi.*;

import java.nio.ByteBuffer;
import org.minivmm.host.EventFd;
import org.minivmm.host.Host;

/** One KVM virtual machine: memory slots, the in-kernel interrupt controllers and PIT, and its vCPUs. */
public final class KvmVm implements AutoCloseable {
    /** Three pages KVM needs for its TSS on Intel, just below the identity-map page; both sit in the MMIO hole. */
    private static final long TSS_ADDRESS = 0xFFFB_D000L;
    private static final long IDENTITY_MAP_ADDRESS = 0xFFFB_C000L;

    private final int fd;
    private final int vcpuMmapSize;
    private final ByteBuffer irqLevel = Structs.allocate(IRQ_LEVEL_SIZE);

    KvmVm(int fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** The x86 platform every guest gets: TSS and identity-map pages, in-kernel PIC/IOAPIC/LAPIC and PIT. */
    public void createPlatform() {
        Host.ioctl(fd, "KVM_SET_IDENTITY_MAP_ADDR", KVM_SET_IDENTITY_MAP_ADDR, identityMapAddress());
        Host.ioctl(fd, "KVM_SET_TSS_ADDR", KVM_SET_TSS_ADDR, TSS_ADDRESS);
        Host.ioctl(fd, "KVM_CREATE_IRQCHIP", KVM_CREATE_IRQCHIP, 0);
        ByteBuffer pitConfig = Structs.allocate(PIT_CONFIG_SIZE);
        pitConfig.putInt(0, KVM_PIT_SPEAKER_DUMMY);
        Host.ioctl(fd, "KVM_CREATE_PIT2", KVM_CREATE_PIT2, pitConfig);
    }

    private static ByteBuffer identityMapAddress() {
        ByteBuffer address = Structs.allocate(8);
        address.putLong(0, IDENTITY_MAP_ADDRESS);
        return address;
    }

    public void setMemoryRegion(int slot, long guestAddress, long size, long hostAddress, boolean readOnly) {
        ByteBuffer region = Structs.allocate(USERSPACE_MEMORY_REGION_SIZE);
        region.putInt(REGION_SLOT, slot);
        region.putInt(REGION_FLAGS, readOnly ? KVM_MEM_READONLY : 0);
        region.putLong(REGION_GUEST_PHYS_ADDR, guestAddress);
        region.putLong(REGION_MEMORY_SIZE, size);
        region.putLong(REGION_USERSPACE_ADDR, hostAddress);
        Host.ioctl(fd, "KVM_SET_USER_MEMORY_REGION", KVM_SET_USER_MEMORY_REGION, region);
    }

    /** Drives an interrupt line of the in-kernel PIC/IOAPIC. */
    public synchronized void setIrqLine(int irq, boolean high) {
        irqLevel.putInt(IRQ_LEVEL_IRQ, irq);
        irqLevel.putInt(IRQ_LEVEL_LEVEL, high ? 1 : 0);
        Host.ioctl(fd, "KVM_IRQ_LINE", KVM_IRQ_LINE, irqLevel);
    }

    /**
     * Makes KVM signal {@code event} itself, without an exit to minivmm, when the guest writes
     * {@code value} as a 4-byte MMIO store to {@code address}: how queue kicks reach a device's thread.
     */
    public void notifyOnWrite(long address, int value, EventFd event) {
        ByteBuffer ioeventfd = Structs.allocate(IOEVENTFD_SIZE);
        ioeventfd.putLong(IOEVENTFD_DATAMATCH, value);
        ioeventfd.putLong(IOEVENTFD_ADDR, address);
        ioeventfd.putInt(IOEVENTFD_LEN, 4);
        ioeventfd.putInt(IOEVENTFD_FD, event.fd());
        ioeventfd.putInt(IOEVENTFD_FLAGS, KVM_IOEVENTFD_FLAG_DATAMATCH);
        Host.ioctl(fd, "KVM_IOEVENTFD", KVM_IOEVENTFD, ioeventfd);
    }

    /** Makes each signal of {@code event} inject an edge on interrupt line {@code gsi}. */
    public void interruptOnSignal(int gsi, EventFd event) {
        ByteBuffer irqfd = Structs.allocate(IRQFD_SIZE);
        irqfd.putInt(IRQFD_FD, event.fd());
        irqfd.putInt(IRQFD_GSI, gsi);
        Host.ioctl(fd, "KVM_IRQFD", KVM_IRQFD, irqfd);
    }

    public KvmVcpu createVcpu(int index) {
        int vcpuFd = Host.ioctl(fd, "KVM_CREATE_VCPU", KVM_CREATE_VCPU, index);
        return new KvmVcpu(index, vcpuFd, vcpuMmapSize);
    }

    @Override
    public void close() {
        Host.close(fd);
    }
}
