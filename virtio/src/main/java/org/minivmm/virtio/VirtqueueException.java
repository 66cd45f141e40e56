package org.minivmm.virtio;

/** The driver broke the virtqueue rules; the device stops and asks for a reset (NEEDS_RESET). */
public final class VirtqueueException extends Exception {
    public VirtqueueException(String message) {
        super(message);
    }
}
