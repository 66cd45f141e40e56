package org.minivmm.vmm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.minivmm.boot.KernelCommandLine;
import org.minivmm.boot.MemoryLayout;
import org.minivmm.bus.Bus;
import org.minivmm.host.EventFd;
import org.minivmm.host.Host;
import org.minivmm.host.LibC;
import org.minivmm.kvm.KvmVm;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.VirtioMmio;

/**
 * One virtio device plugged into a VM: its MMIO window and interrupt line, the command-line entry by
 * which Linux finds it (no ACPI, no device tree), an ioeventfd per queue so kicks reach the device
 * without a trip through a vCPU thread, an irqfd for its interrupts, and the device's own I/O thread.
 * That thread also watches the device's host inputs (a TAP's descriptor), so a device that gets work
 * from the host side needs no second thread.
 */
final class VirtioAttachment implements AutoCloseable {
    /** Windows sit 4 KiB apart from DEVICE_MMIO_START; slot i gets the i-th free ISA line in the MP table. */
    private static final long WINDOW_STRIDE = 0x1000;
    private static final int[] INTERRUPT_LINES = {5, 6, 7, 9, 10, 11, 12, 14, 15};
    private static final int POLLIN = 1;

    private final VirtioDevice device;
    private final VirtioMmio transport;
    private final EventFd interrupt;
    private final EventFd stop = new EventFd();
    private final List<EventFd> queueKicks = new ArrayList<>();
    private final List<HostInput> inputs;
    private final Thread thread;

    /**
     * A host file descriptor that brings the device work: while {@code wanted} says so (and the device is
     * not in NEEDS_RESET), the I/O thread waits for it to become readable and then has {@code queue}
     * served. {@code wanted} lets a device stop the watch when it could not take the work anyway, such as
     * a network device with no receive buffer: the input then waits on the host side, and a readable
     * descriptor that nobody drains does not make the thread spin.
     */
    record HostInput(int fd, BooleanSupplier wanted, int queue) {
    }

    private VirtioAttachment(VirtioDevice device, String name, VirtioMmio transport, EventFd interrupt,
            List<HostInput> inputs, Consumer<StopReason> onFailure) {
        this.device = device;
        this.transport = transport;
        this.interrupt = interrupt;
        this.inputs = List.copyOf(inputs);
        for (int i = 0; i < device.queueMaxSizes().size(); i++) {
            queueKicks.add(new EventFd());
        }
        thread = new Thread(() -> serve(transport, name, onFailure), name);
        thread.setDaemon(true);
    }

    static VirtioAttachment attach(int slot, String name, VirtioDevice device, List<HostInput> inputs, KvmVm vm,
            GuestMemory memory, Bus mmio, KernelCommandLine cmdline, Consumer<StopReason> onFailure) {
        if (slot >= INTERRUPT_LINES.length) {
            throw new IllegalArgumentException("at most " + INTERRUPT_LINES.length + " virtio devices fit; " + name + " is one too many");
        }
        long base = MemoryLayout.DEVICE_MMIO_START + slot * WINDOW_STRIDE;
        int line = INTERRUPT_LINES[slot];
        EventFd interrupt = new EventFd();
        // Edge-triggered: the transport pulses the line again if causes remain after an acknowledgement.
        VirtioMmio transport = new VirtioMmio(device, memory, high -> {
            if (high) {
                interrupt.signal();
            }
        }, problem -> Log.warn(name + ": the guest's driver broke the virtio rules, so the device stopped until it is"
                + " reset: " + problem));
        VirtioAttachment attachment = new VirtioAttachment(device, name, transport, interrupt, inputs, onFailure);
        try {
            vm.interruptOnSignal(line, interrupt);
            for (int queue = 0; queue < attachment.queueKicks.size(); queue++) {
                vm.notifyOnWrite(base + VirtioMmio.QUEUE_NOTIFY, queue, attachment.queueKicks.get(queue));
            }
            mmio.register(base, VirtioMmio.WINDOW_BYTES, name, transport);
        } catch (RuntimeException e) {
            attachment.closeFds();
            throw e;
        }
        cmdline.append(String.format("virtio_mmio.device=0x%x@0x%x:%d", VirtioMmio.WINDOW_BYTES, base, line));
        attachment.thread.start();
        return attachment;
    }

    /** Has the device serve {@code queue} now, for work that comes from the host side (console input). */
    void serve(int queue) {
        transport.queueNotified(queue);
    }

    /** Serves every queue once, as if each had been kicked. */
    void serveAll() {
        for (int queue = 0; queue < queueKicks.size(); queue++) {
            transport.queueNotified(queue);
        }
    }

    /**
     * Waits for kicks on any queue and for the wanted host inputs, and serves them; a failure of the host
     * side stops the VM. The poll entries: the queue kicks, the stop eventfd, then the host inputs.
     */
    private void serve(VirtioMmio transport, String name, Consumer<StopReason> onFailure) {
        int stopEntry = queueKicks.size();
        int watched = stopEntry + 1 + inputs.size();
        ByteBuffer pollfds = ByteBuffer.allocateDirect(8 * watched).order(ByteOrder.nativeOrder());
        for (int i = 0; i < watched; i++) {
            pollfds.putInt(8 * i, i < stopEntry ? queueKicks.get(i).fd() : stop.fd());
            pollfds.putShort(8 * i + 4, (short) POLLIN);
        }
        try {
            while (true) {
                for (int i = 0; i < inputs.size(); i++) {
                    HostInput input = inputs.get(i);
                    // poll skips negative descriptors: an input nobody wants now is not watched
                    boolean wanted = transport.problem() == null && input.wanted().getAsBoolean();
                    pollfds.putInt(8 * (stopEntry + 1 + i), wanted ? input.fd() : -1);
                }
                if (LibC.poll(pollfds, watched, -1) < 0) {
                    if (LibC.errno() == Host.EINTR) {
                        continue;
                    }
                    throw Host.failure("poll in " + name);
                }
                if ((pollfds.getShort(8 * stopEntry + 6) & POLLIN) != 0) {
                    return;
                }
                for (int queue = 0; queue < queueKicks.size(); queue++) {
                    if ((pollfds.getShort(8 * queue + 6) & POLLIN) != 0 && queueKicks.get(queue).consume() > 0) {
                        transport.queueNotified(queue);
                    }
                }
                for (int i = 0; i < inputs.size(); i++) {
                    // readable, or an error or hang-up, which the device finds out about when it reads
                    if (pollfds.getShort(8 * (stopEntry + 1 + i) + 6) != 0) {
                        transport.queueNotified(inputs.get(i).queue());
                    }
                }
            }
        } catch (RuntimeException e) {
            onFailure.accept(StopReason.vmmError(name + ": " + e.getMessage()));
        }
    }

    @Override
    public void close() throws Exception {
        stop.signal();
        thread.join();
        closeFds();
        if (device instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private void closeFds() {
        interrupt.close();
        stop.close();
        queueKicks.forEach(EventFd::close);
    }
}
