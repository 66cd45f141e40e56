package org.minivmm.rootfs.launch;

/**
 * How the host frames the app's standard input on the guest tty that the init relays into the app's stdin
 * pipe (see {@link LaunchConfig.Stdio}). A tty has no end of input of its own, so byte 0xFF escapes: 0xFF 0xFF
 * stands for one 0xFF, and 0xFF 0x00 ends the input, after which the app reads end of file.
 */
public final class StdinFraming {
    static final byte ESCAPE = (byte) 0xFF;
    private static final byte[] END = {ESCAPE, 0};

    private StdinFraming() {
    }

    /** The first {@code length} bytes of {@code data}, framed. */
    public static byte[] encode(byte[] data, int length) {
        int escapes = 0;
        for (int i = 0; i < length; i++) {
            if (data[i] == ESCAPE) {
                escapes++;
            }
        }
        byte[] framed = new byte[length + escapes];
        for (int i = 0, j = 0; i < length; i++) {
            framed[j++] = data[i];
            if (data[i] == ESCAPE) {
                framed[j++] = ESCAPE;
            }
        }
        return framed;
    }

    /** What ends the input. */
    public static byte[] end() {
        return END.clone();
    }
}
