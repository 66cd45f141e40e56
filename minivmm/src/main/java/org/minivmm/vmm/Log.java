package org.minivmm.vmm;

/** Plain-text messages on stderr, each prefixed with the program name. */
public final class Log {
    private Log() {
    }

    public static void info(String message) {
        System.err.println("minivmm: " + message);
    }

    public static void warn(String message) {
        System.err.println("minivmm: warning: " + message);
    }

    public static void error(String message) {
        System.err.println("minivmm: error: " + message);
    }
}
