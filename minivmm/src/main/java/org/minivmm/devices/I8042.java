package org.minivmm.devices;

import org.minivmm.bus.BusDevice;

/**
 * Just enough of the PC keyboard controller for Linux's {@code reboot=k}: command 0xFE on port 0x64
 * pulses the CPU reset line, which ends the VM. The window spans ports 0x60-0x64; 0x61 in between
 * is the PC speaker port, which KVM's in-kernel PIT answers before it can reach here.
 */
public final class I8042 implements BusDevice {
    public static final int BASE = 0x60;
    public static final int SIZE = 5;

    private static final int COMMAND_PORT_OFFSET = 4;
    private static final int COMMAND_PULSE_RESET = 0xfe;

    private final Runnable onReset;

    public I8042(Runnable onReset) {
        this.onReset = onReset;
    }

    @Override
    public void read(long offset, byte[] data) {
        data[0] = 0; // no keyboard data, input buffer empty
    }

    @Override
    public void write(long offset, byte[] data) {
        if (offset == COMMAND_PORT_OFFSET && (data[0] & 0xff) == COMMAND_PULSE_RESET) {
            onReset.run();
        }
    }
}
