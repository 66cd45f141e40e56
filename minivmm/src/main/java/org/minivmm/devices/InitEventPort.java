package org.minivmm.devices;

import java.util.function.IntConsumer;
import org.minivmm.bus.BusDevice;

/**
 * A one-byte port, next to the exit port, on which minivmm's guest init reports milestones (started,
 * input ready, app exec'ed, app exited; codes in the init's events.h), for the boot timeline and to
 * know when the app's input may flow.
 */
public final class InitEventPort implements BusDevice {
    public static final int PORT = 0x502;
    public static final int SIZE = 1;

    private final IntConsumer onEvent;

    public InitEventPort(IntConsumer onEvent) {
        this.onEvent = onEvent;
    }

    @Override
    public void read(long offset, byte[] data) {
        data[0] = 0;
    }

    @Override
    public void write(long offset, byte[] data) {
        onEvent.accept(data[0] & 0xff);
    }
}
