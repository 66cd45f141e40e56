package org.minivmm.boot;

import java.util.Objects;

/**
 * Bytes the VMM copies into guest RAM at a guest physical address. The array is shared, not
 * copied, so do not modify it after handing it over.
 */
public record GuestBlob(long address, byte[] bytes) {
    public GuestBlob {
        Objects.requireNonNull(bytes, "bytes");
        if (address < 0) {
            throw new IllegalArgumentException("guest address " + Formatting.hex(address) + " is negative");
        }
    }
}
