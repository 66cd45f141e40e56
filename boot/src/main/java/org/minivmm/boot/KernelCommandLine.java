package org.minivmm.boot;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The kernel command line, checked as it grows so a bad parameter is reported where it was added.
 * {@link #append} changes this object and returns it, so calls can be chained.
 */
public final class KernelCommandLine {
    private static final int MAX_CHARS = MemoryLayout.CMDLINE_MAX_BYTES - 1;

    private final StringBuilder text = new StringBuilder();

    public KernelCommandLine(String initial) {
        append(initial);
    }

    /** Adds {@code parameter} after a space; an empty parameter adds nothing. */
    public KernelCommandLine append(String parameter) {
        Objects.requireNonNull(parameter, "parameter");
        if (parameter.isEmpty()) {
            return this;
        }
        checkCharacters(parameter);
        int length = text.length() + (text.length() == 0 ? 0 : 1) + parameter.length();
        if (length > MAX_CHARS) {
            throw new IllegalArgumentException("the kernel command line would be " + length
                    + " characters long, but Linux accepts at most " + MAX_CHARS
                    + " (" + MemoryLayout.CMDLINE_MAX_BYTES + " bytes with the terminating NUL); shorten it.");
        }
        if (text.length() != 0) {
            text.append(' ');
        }
        text.append(parameter);
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** The command line as Linux reads it: ASCII bytes followed by a NUL. */
    public byte[] toBytes() {
        return (text + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    // Linux copies the command line as a C string and parses it as ASCII.
    private static void checkCharacters(String parameter) {
        for (int i = 0; i < parameter.length(); i++) {
            char c = parameter.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                String shown = c == 0 ? "NUL" : String.format("U+%04X", (int) c);
                throw new IllegalArgumentException("kernel command line parameter \"" + printable(parameter)
                        + "\" contains " + shown + " at position " + i
                        + "; use only printable ASCII characters.");
            }
        }
    }

    private static String printable(String text) {
        StringBuilder shown = new StringBuilder();
        text.chars().forEach(c -> shown.append(c >= 0x20 && c <= 0x7e ? Character.toString(c) : "?"));
        return shown.toString();
    }
}
