package org.minivmm.vmm;

import java.util.function.Consumer;
import org.minivmm.bus.Bus;
import org.minivmm.host.Host;
import org.minivmm.host.LibC;
import org.minivmm.kvm.KvmVcpu;

/**
 * The thread of one vCPU: KVM_RUN in a loop, port and MMIO exits dispatched to the buses, and every
 * other exit turned into a {@link StopReason}. Another thread stops it with {@link #kick()}.
 */
final class VcpuRunner implements Runnable {
    private static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    private static final int KVM_SYSTEM_EVENT_RESET = 2;
    private static final int KVM_SYSTEM_EVENT_CRASH = 3;
    private static final int KVM_INTERNAL_ERROR_EMULATION = 1;

    private final KvmVcpu vcpu;
    private final Bus pio;
    private final Bus mmio;
    private final Consumer<StopReason> stop;
    /** Reusable access buffers by size, so the exit path allocates nothing. */
    private final byte[][] accessBuffers = {null, new byte[1], new byte[2], null, new byte[4], null, null, null, new byte[8]};

    private volatile boolean stopping;
    private volatile long nativeThread;

    VcpuRunner(KvmVcpu vcpu, Bus pio, Bus mmio, Consumer<StopReason> stop) {
        this.vcpu = vcpu;
        this.pio = pio;
        this.mmio = mmio;
        this.stop = stop;
    }

    @Override
    public void run() {
        nativeThread = LibC.pthreadSelf();
        BootTimeline.mark(BootTimeline.Phase.FIRST_VCPU_ENTRY);
        try {
            while (!stopping) {
                int exit = vcpu.run();
                if (exit != KvmVcpu.INTERRUPTED) {
                    handle(exit);
                }
            }
        } catch (RuntimeException e) {
            stop.accept(StopReason.vmmError("vCPU " + vcpu.index() + ": " + e.getMessage()));
        }
    }

    /** Makes the vCPU leave the guest and its thread end: immediate_exit closes the race with a signal in flight. */
    void kick() {
        stopping = true;
        vcpu.requestImmediateExit();
        long thread = nativeThread;
        if (thread != 0) {
            LibC.pthreadKill(thread, VcpuSignal.NUMBER);
        }
    }

    private void handle(int exit) {
        switch (exit) {
            case KvmVcpu.EXIT_IO -> handlePortIo();
            case KvmVcpu.EXIT_MMIO -> handleMmio();
            case KvmVcpu.EXIT_INTR -> { } // a signal: the loop rechecks whether to stop
            case KvmVcpu.EXIT_SHUTDOWN -> stop.accept(StopReason.guestReset("the guest reset the machine (triple fault)"));
            case KvmVcpu.EXIT_SYSTEM_EVENT -> handleSystemEvent(vcpu.systemEventType());
            case KvmVcpu.EXIT_HLT -> stop.accept(StopReason.guestCrash("vCPU " + vcpu.index() + " halted for good"));
            case KvmVcpu.EXIT_INTERNAL_ERROR -> stop.accept(StopReason.guestCrash(internalError()));
            case KvmVcpu.EXIT_FAIL_ENTRY -> stop.accept(StopReason.guestCrash(String.format(
                    "KVM could not enter vCPU %d (hardware reason 0x%x)", vcpu.index(), vcpu.failEntryReason())));
            default -> stop.accept(StopReason.guestCrash("vCPU " + vcpu.index() + ": unexpected KVM exit reason " + exit));
        }
    }

    private void handlePortIo() {
        byte[] data = accessBuffers[vcpu.ioSize()];
        int port = vcpu.ioPort();
        boolean out = vcpu.ioIsOut();
        for (int i = 0, count = vcpu.ioCount(); i < count; i++) {
            if (out) {
                vcpu.readIoData(i, data);
                pio.write(port, data);
            } else {
                pio.read(port, data);
                vcpu.writeIoData(i, data);
            }
        }
    }

    private void handleMmio() {
        int length = vcpu.mmioLength();
        byte[] data = length < accessBuffers.length && accessBuffers[length] != null ? accessBuffers[length] : new byte[length];
        if (vcpu.mmioIsWrite()) {
            vcpu.readMmioData(data);
            mmio.write(vcpu.mmioAddress(), data);
        } else {
            mmio.read(vcpu.mmioAddress(), data);
            vcpu.writeMmioData(data);
        }
    }

    private void handleSystemEvent(int type) {
        switch (type) {
            case KVM_SYSTEM_EVENT_SHUTDOWN -> stop.accept(StopReason.guestReset("the guest powered off"));
            case KVM_SYSTEM_EVENT_RESET -> stop.accept(StopReason.guestReset("the guest reset the machine"));
            case KVM_SYSTEM_EVENT_CRASH -> stop.accept(StopReason.guestCrash("the guest reported a crash"));
            default -> stop.accept(StopReason.guestCrash("unknown KVM system event " + type));
        }
    }

    private String internalError() {
        int suberror = vcpu.internalErrorSuberror();
        String what = suberror == KVM_INTERNAL_ERROR_EMULATION
                ? "KVM could not emulate an instruction" : "KVM internal error, suberror " + suberror;
        return String.format("vCPU %d: %s at rip 0x%x", vcpu.index(), what, vcpu.rip());
    }
}
