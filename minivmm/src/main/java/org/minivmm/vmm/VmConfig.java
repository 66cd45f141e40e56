package org.minivmm.vmm;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What a VM is built from. {@code consoleOutput} receives the serial console; when {@code forwardInput}
 * is set, minivmm's standard input feeds it. {@code disks} become virtio-blk devices in order, and
 * {@code rng} adds a virtio entropy device.
 */
public record VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream consoleOutput,
        boolean forwardInput, List<Disk> disks, boolean rng) {
    public static final long DEFAULT_RAM_BYTES = 128L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=1";

    /** A disk image file, shown to the guest as a virtio-blk device. */
    public record Disk(Path file, boolean readOnly) {
    }

    /** A VM with no virtio devices. */
    public VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream consoleOutput, boolean forwardInput) {
        this(kernel, ramBytes, cpus, cmdline, consoleOutput, forwardInput, List.of(), false);
    }
}
