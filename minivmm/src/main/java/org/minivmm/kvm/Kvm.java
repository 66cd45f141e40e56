package org.minivmm.kvm;

import static org.minivmm.kvm.KvmAbi.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.minivmm.boot.CpuidFixups.CpuidEntry;
import org.minivmm.host.Host;
import org.minivmm.host.LibC;

/** The /dev/kvm system handle: capability queries and VM creation. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";
    private static final int MAX_CPUID_ENTRIES = 256;

    private final int fd;

    private Kvm(int fd) {
        this.fd = fd;
    }

    public static Kvm open() {
        int fd = Host.open(DEVICE, Host.O_RDWR);
        Kvm kvm = new Kvm(fd);
        int version = Host.ioctl(fd, "KVM_GET_API_VERSION", KVM_GET_API_VERSION, 0);
        if (version != EXPECTED_API_VERSION) {
            kvm.close();
            throw new KvmException("KVM API version is " + version + ", expected " + EXPECTED_API_VERSION);
        }
        return kvm;
    }

    /** What KVM_CHECK_EXTENSION says: 0 when absent, otherwise 1 or a capability-specific number. */
    public int extension(Capability capability) {
        return LibC.ioctl(fd, KVM_CHECK_EXTENSION, capability.number);
    }

    public int vcpuMmapSize() {
        return Host.ioctl(fd, "KVM_GET_VCPU_MMAP_SIZE", KVM_GET_VCPU_MMAP_SIZE, 0);
    }

    public List<CpuidEntry> supportedCpuid() {
        ByteBuffer buffer = Structs.allocate(CPUID2_HEADER_SIZE + MAX_CPUID_ENTRIES * CPUID_ENTRY2_SIZE);
        buffer.putInt(0, MAX_CPUID_ENTRIES);
        Host.ioctl(fd, "KVM_GET_SUPPORTED_CPUID", KVM_GET_SUPPORTED_CPUID, buffer);
        int count = buffer.getInt(0);
        List<CpuidEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = CPUID2_HEADER_SIZE + i * CPUID_ENTRY2_SIZE;
            entries.add(new CpuidEntry(buffer.getInt(at + CPUID_FUNCTION), buffer.getInt(at + CPUID_INDEX),
                    buffer.getInt(at + CPUID_FLAGS), buffer.getInt(at + CPUID_EAX), buffer.getInt(at + CPUID_EBX),
                    buffer.getInt(at + CPUID_ECX), buffer.getInt(at + CPUID_EDX)));
        }
        return entries;
    }

    public KvmVm createVm() {
        int vmFd = Host.ioctl(fd, "KVM_CREATE_VM", KVM_CREATE_VM, 0);
        return new KvmVm(vmFd, vcpuMmapSize());
    }

    @Override
    public void close() {
        Host.close(fd);
    }

    /** The capabilities minivmm depends on, by their KVM_CAP_* numbers. */
    public enum Capability {
        IRQCHIP(KVM_CAP_IRQCHIP),
        USER_MEMORY(KVM_CAP_USER_MEMORY),
        SET_TSS_ADDR(KVM_CAP_SET_TSS_ADDR),
        EXT_CPUID(KVM_CAP_EXT_CPUID),
        PIT2(KVM_CAP_PIT2),
        SET_IDENTITY_MAP_ADDR(KVM_CAP_SET_IDENTITY_MAP_ADDR),
        IMMEDIATE_EXIT(KVM_CAP_IMMEDIATE_EXIT),
        IRQFD(KVM_CAP_IRQFD),
        IOEVENTFD(KVM_CAP_IOEVENTFD),
        NR_MEMSLOTS(KVM_CAP_NR_MEMSLOTS);

        final int number;

        Capability(int number) {
            this.number = number;
        }
    }
}
