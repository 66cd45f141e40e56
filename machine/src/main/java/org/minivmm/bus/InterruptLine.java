package org.minivmm.bus;

/** The interrupt line a device drives; the VMM connects it to the guest's interrupt controller. */
public interface InterruptLine {
    void set(boolean high);
}
