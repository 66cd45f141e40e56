package org.minivmm.boot;

/** How addresses and sizes read in messages meant for people. */
final class Formatting {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private Formatting() {
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** A half-open guest physical range, e.g. {@code [0x1000000, 0x2e00000)}. */
    static String range(long start, long end) {
        return "[" + hex(start) + ", " + hex(end) + ")";
    }

    /** A byte count in the largest binary unit that divides it exactly, e.g. "3 GiB". */
    static String size(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) {
            return bytes / GIB + " GiB";
        }
        if (bytes != 0 && bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        return bytes + " bytes";
    }
}
