package org.minivmm.host;

import java.nio.ByteBuffer;

/**
 * Raw mode for a terminal on standard input, so every key reaches the guest as typed; closing restores
 * the settings it found. On anything that is not a terminal it does nothing.
 */
public final class Terminal implements AutoCloseable {
    private static final int STDIN = 0;
    private static final int TERMIOS_SIZE = 60;
    private static final int TCSANOW = 0;

    private final ByteBuffer saved;

    private Terminal(ByteBuffer saved) {
        this.saved = saved;
    }

    public static boolean stdinIsTerminal() {
        return LibC.isatty(STDIN) == 1;
    }

    public static Terminal rawIfTerminal() {
        if (!stdinIsTerminal()) {
            return new Terminal(null);
        }
        ByteBuffer saved = ByteBuffer.allocateDirect(TERMIOS_SIZE);
        if (LibC.tcgetattr(STDIN, saved) != 0) {
            throw Host.failure("tcgetattr on standard input");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect(TERMIOS_SIZE);
        raw.put(0, saved, 0, TERMIOS_SIZE);
        LibC.cfmakeraw(raw);
        if (LibC.tcsetattr(STDIN, TCSANOW, raw) != 0) {
            throw Host.failure("tcsetattr on standard input");
        }
        return new Terminal(saved);
    }

    @Override
    public void close() {
        if (saved != null) {
            LibC.tcsetattr(STDIN, TCSANOW, saved);
        }
    }
}
