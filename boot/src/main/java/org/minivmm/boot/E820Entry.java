package org.minivmm.boot;

/** One entry of the BIOS-style memory map that Linux reads from the zero page. */
public record E820Entry(long address, long size, int type) {
    public static final int RAM = 1;
    public static final int RESERVED = 2;
    /** Legacy persistent memory: Linux turns such a range into a /dev/pmem device (used for DAX images). */
    public static final int PRAM = 12;
}
