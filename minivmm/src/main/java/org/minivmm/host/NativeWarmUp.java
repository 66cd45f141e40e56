package org.minivmm.host;

/**
 * Loads jffi and binds libc on a second core while the main thread parses the command line: both take
 * about 100 ms of single-threaded start-up, and neither needs the other. If the warm-up fails, the main
 * thread meets the same failure at its first native call and reports it there.
 */
public final class NativeWarmUp {
    private NativeWarmUp() {
    }

    public static void start() {
        Thread warmUp = new Thread(() -> {
            try {
                Class.forName(LibC.class.getName(), true, NativeWarmUp.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                // Reported by the first real native call.
            }
        }, "native-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }
}
