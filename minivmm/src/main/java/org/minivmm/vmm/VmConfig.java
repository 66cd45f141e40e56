package org.minivmm.vmm;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * What a VM is built from. {@code consoleOutput} receives the serial console; when {@code forwardInput}
 * is set, minivmm's standard input feeds it.
 */
public record VmConfig(Path kernel, long ramBytes, int cpus, String cmdline, OutputStream consoleOutput,
        boolean forwardInput) {
    public static final long DEFAULT_RAM_BYTES = 128L << 20;
    public static final String DEFAULT_CMDLINE = "console=ttyS0 reboot=k panic=1";
}
