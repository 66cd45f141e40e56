package org.minivmm.devices;

import java.util.function.IntConsumer;
import org.minivmm.bus.BusDevice;

/**
 * A one-byte port through which a guest ends the VM with an exit status: writing N to port 0x501
 * makes minivmm exit with code N. 0x501 is where QEMU's isa-debug-exit device sits by convention,
 * so a guest built for one works with the other (QEMU exits with (N << 1) | 1). Linux drives nothing there.
 */
public final class ExitPort implements BusDevice {
    public static final int PORT = 0x501;
    public static final int SIZE = 1;

    private final IntConsumer onExit;

    public ExitPort(IntConsumer onExit) {
        this.onExit = onExit;
    }

    @Override
    public void read(long offset, byte[] data) {
        data[0] = 0;
    }

    @Override
    public void write(long offset, byte[] data) {
        onExit.accept(data[0] & 0xff);
    }
}
