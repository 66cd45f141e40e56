package org.minivmm.memory;

/** A guest address or length that falls outside guest memory. Devices turn it into a device error. */
public final class GuestMemoryException extends RuntimeException {
    public GuestMemoryException(String message) {
        super(message);
    }
}
