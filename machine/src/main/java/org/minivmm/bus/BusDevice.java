package org.minivmm.bus;

/**
 * A device register window on the port-I/O or MMIO bus. Offsets are relative to the window's base;
 * {@code data} holds the access (1, 2, 4 or 8 bytes, little-endian) and is filled in by reads.
 * Calls may come from several vCPU threads at once.
 */
public interface BusDevice {
    void read(long offset, byte[] data);

    void write(long offset, byte[] data);
}
