package org.minivmm.vmm;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * What a VM is built from. {@code serialOutput} receives the UART (ttyS0). Each of {@code virtioConsoles}
 * is a virtio-console device, hvc0, hvc1... in order, whose output goes to that stream. When
 * {@code forwardInput} is set, minivmm's standard input feeds the first virtio console, or the UART if there
 * is none. {@code disks} become virtio-blk devices in order, {@code pmems} persistent-memory regions in
 * order, and {@code rng} adds a virtio entropy device. {@code initEvents} (null: none) hears the
 * milestones a guest init reports on the event port. {@code nets} become virtio-net devices on TAP
 * interfaces, in order.
 */
public record VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream serialOutput,
        boolean forwardInput, List<Disk> disks, List<Pmem> pmems, boolean rng, List<OutputStream> virtioConsoles,
        IntConsumer initEvents, List<Net> nets) {
    public static final long DEFAULT_RAM_BYTES = 128L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=1";
    /** The default with a virtio console: Linux then writes to hvc0. */
    public static final String DEFAULT_VIRTIO_CONSOLE_CMDLINE = "console=hvc0 reboot=k panic=1";

    /** A disk image file, shown to the guest as a virtio-blk device. */
    public record Disk(Path file, boolean readOnly) {
    }

    /**
     * An image shown to the guest as DAX persistent memory: mapped copy-on-write (or read-only), and
     * announced as legacy pmem in the e820 map, or with {@code virtio} as a virtio-pmem device.
     */
    public record Pmem(Path file, boolean readOnly, boolean virtio) {
    }

    /** A network interface for the guest: a virtio-net device on the host's TAP {@code tapName}, with {@code mac}. */
    public record Net(String tapName, byte[] mac) {
        public Net {
            if (mac.length != 6) {
                throw new IllegalArgumentException("a MAC address has 6 bytes, not " + mac.length);
            }
            mac = mac.clone();
        }
    }

    /** A VM with no network. */
    public VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream serialOutput, boolean forwardInput,
            List<Disk> disks, List<Pmem> pmems, boolean rng, List<OutputStream> virtioConsoles, IntConsumer initEvents) {
        this(kernel, ramBytes, cpus, cmdline, serialOutput, forwardInput, disks, pmems, rng, virtioConsoles, initEvents, List.of());
    }

    /** The same VM with {@code nets} as its network interfaces. */
    public VmConfig withNets(List<Net> nets) {
        return new VmConfig(kernel, ramBytes, cpus, cmdline, serialOutput, forwardInput, disks, pmems, rng, virtioConsoles,
                initEvents, nets);
    }

    /** A VM with no virtio devices. */
    public VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream serialOutput, boolean forwardInput) {
        this(kernel, ramBytes, cpus, cmdline, serialOutput, forwardInput, List.of(), List.of(), false, List.of(), null);
    }
}
