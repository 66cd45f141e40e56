package org.minivmm.devices;

import java.util.function.IntConsumer;
import org.minivmm.bus.BusDevice;

/**
 * A one-byte I/O port through which a guest tells minivmm something: each byte written goes to a
 * listener, and reads give 0. Linux drives nothing at either port.
 * <ul>
 *   <li>{@link #EXIT}, 0x501: the guest's exit status, with which minivmm exits. QEMU's isa-debug-exit
 *       sits there by convention, so a guest built for one works with the other (QEMU exits with
 *       (N << 1) | 1).
 *   <li>{@link #INIT_EVENTS}, 0x502: milestones that minivmm's guest init reports (started, input ready,
 *       app exec'ed, app exited; codes in the init's events.h), for the boot timeline and to know when
 *       the app's input may flow. QEMU's isa-debugcon can pass them to a file.
 * </ul>
 */
public final class BytePort implements BusDevice {
    public static final int EXIT = 0x501;
    public static final int INIT_EVENTS = 0x502;
    public static final int SIZE = 1;

    private final IntConsumer listener;

    public BytePort(IntConsumer listener) {
        this.listener = listener;
    }

    @Override
    public void read(long offset, byte[] data) {
        data[0] = 0;
    }

    @Override
    public void write(long offset, byte[] data) {
        listener.accept(data[0] & 0xff);
    }
}
