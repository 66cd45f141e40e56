package org.minivmm.vmm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.minivmm.kvm.Kvm;
import org.minivmm.kvm.KvmVcpu;
import org.minivmm.kvm.KvmVm;
import org.minivmm.virtio.console.VirtioConsole;

/**
 * A built VM: run it once, get why it stopped, then close it. The first stop request wins; it kicks
 * every vCPU out of the guest, and {@link #run()} returns only when all vCPU threads have ended.
 */
public final class Vm implements AutoCloseable {
    private final Kvm kvm;
    private final KvmVm kvmVm;
    private final GuestRam ram;
    private final List<KvmVcpu> vcpus;
    private final List<VcpuRunner> runners = new ArrayList<>();
    private final List<VirtioAttachment> devices = new ArrayList<>();
    private final List<PmemMapping> pmems = new ArrayList<>();
    private final List<VirtioConsole> consoles = new ArrayList<>();
    private final List<VirtioAttachment> consoleAttachments = new ArrayList<>();
    /**
     * Guards {@link #closed}: neither host-side input nor a kick (which writes to a vCPU's kvm_run page) may
     * reach what close() has unmapped.
     */
    private final Object lifecycle = new Object();
    private boolean closed;
    private final CompletableFuture<StopReason> stopReason = new CompletableFuture<>();

    Vm(Kvm kvm, KvmVm kvmVm, GuestRam ram, List<KvmVcpu> vcpus) {
        this.kvm = kvm;
        this.kvmVm = kvmVm;
        this.ram = ram;
        this.vcpus = vcpus;
    }

    void addRunner(VcpuRunner runner) {
        runners.add(runner);
    }

    void addDevice(VirtioAttachment device) {
        devices.add(device);
    }

    void addPmem(PmemMapping pmem) {
        pmems.add(pmem);
    }

    void addConsole(VirtioConsole console, VirtioAttachment attachment) {
        consoles.add(console);
        consoleAttachments.add(attachment);
    }

    /**
     * Gives {@code length} bytes to virtio console {@code index} (hvc{@code index}) as input, waiting while
     * its buffer is full, and has them delivered as soon as the guest has buffers posted.
     */
    public void sendToConsole(int index, byte[] bytes, int length) throws InterruptedException {
        // In pieces no larger than the console's buffer, each offered to the guest before the next: the
        // console waits for room only after everything it holds was offered, so a guest kick is coming.
        for (int offset = 0; offset < length; offset += VirtioConsole.INPUT_BYTES) {
            int piece = Math.min(VirtioConsole.INPUT_BYTES, length - offset);
            consoles.get(index).receive(Arrays.copyOfRange(bytes, offset, offset + piece), piece);
            synchronized (lifecycle) {
                if (!closed) {
                    consoleAttachments.get(index).serve(VirtioConsole.RECEIVE_QUEUE);
                }
            }
        }
    }

    public GuestRam ram() {
        return ram;
    }

    public StopReason run() throws InterruptedException {
        VcpuSignal.install();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < runners.size(); i++) {
            Thread thread = new Thread(runners.get(i), "vcpu" + i);
            threads.add(thread);
            thread.start();
        }
        StopReason reason;
        try {
            reason = stopReason.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            runners.forEach(VcpuRunner::kick);
            for (Thread thread : threads) {
                thread.join();
            }
        }
        // A guest's last output can still wait behind a kick the device thread has not taken yet.
        devices.forEach(VirtioAttachment::serveAll);
        return reason;
    }

    /** Asks the VM to stop; callable from any thread, including a vCPU's. Later requests are ignored. */
    public void stop(StopReason reason) {
        // Kick at once, not when run() wakes, so a vCPU that just wrote the exit port does not run the guest
        // on; and before completing, since run() returning lets the caller close the VM.
        synchronized (lifecycle) {
            if (!closed && !stopReason.isDone()) {
                runners.forEach(VcpuRunner::kick);
            }
        }
        stopReason.complete(reason);
    }

    /** Device threads stop first: they touch guest memory, which goes away with the RAM. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
        }
        for (VirtioAttachment device : devices) {
            try {
                device.close();
            } catch (Exception e) {
                // A device that fails to close must not keep the rest of the VM open.
            }
        }
        for (KvmVcpu vcpu : vcpus) {
            vcpu.close();
        }
        for (PmemMapping pmem : pmems) {
            pmem.warnIfChanged();
            pmem.close();
        }
        ram.close();
        kvmVm.close();
        kvm.close();
    }
}
