package org.minivmm.cli;

/** Plain-text messages on stderr, each prefixed with the program name. */
final class Log {
    private Log() {
    }

    static void info(String message) {
        System.err.println("minivmm: " + message);
    }

    static void error(String message) {
        System.err.println("minivmm: error: " + message);
    }
}
