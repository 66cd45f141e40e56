package org.minivmm.virtio.net;

import java.io.IOException;

/**
 * Where a {@link VirtioNet} device's Ethernet frames go and come from: a TAP device in the VMM, a list
 * in tests. Frames cross this interface without any virtio header. Neither method may block: the
 * device is served on one I/O thread, which must never wait for the network.
 */
public interface NetBackend extends AutoCloseable {
    /**
     * Sends one frame, {@code length} bytes of {@code frame} from {@code offset}. Returns false when the
     * backend dropped it (its queue is full, the link is down); the guest never waits for the network.
     */
    boolean send(byte[] frame, int offset, int length) throws IOException;

    /**
     * Moves the next waiting frame into {@code buffer} and returns its length, or returns -1 when no
     * frame waits now. Frames stay in the backend until asked for: that is the device's backpressure.
     * An IOException means the backend is gone for good, and the device stops asking.
     */
    int receive(byte[] buffer) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
