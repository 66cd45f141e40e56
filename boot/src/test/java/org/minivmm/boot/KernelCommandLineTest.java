package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KernelCommandLineTest {
    /** Linux's COMMAND_LINE_SIZE on x86 counts the terminating NUL. */
    private static final int LONGEST = 2048 - 1;

    @Test
    void joinsParametersWithSpaces() {
        KernelCommandLine line = new KernelCommandLine("console=ttyS0").append("reboot=k").append("panic=1");

        assertEquals("console=ttyS0 reboot=k panic=1", line.toString());
    }

    @Test
    void appendChangesTheLineAndReturnsIt() {
        KernelCommandLine line = new KernelCommandLine("a");

        assertSame(line, line.append("b"));
        assertEquals("a b", line.toString());
    }

    @Test
    void emptyPartsAddNoStraySpaces() {
        KernelCommandLine line = new KernelCommandLine("").append("quiet").append("");

        assertEquals("quiet", line.toString());
    }

    @Test
    void bytesAreAsciiWithATerminatingNul() {
        byte[] bytes = new KernelCommandLine("root=/dev/vda").toBytes();

        assertArrayEquals("root=/dev/vda\0".getBytes(StandardCharsets.US_ASCII), bytes);
    }

    @Test
    void acceptsTheLongestLineLinuxKeeps() {
        KernelCommandLine line = new KernelCommandLine("x".repeat(LONGEST - 2)).append("y");

        assertEquals(2048, line.toBytes().length);
    }

    @Test
    void rejectsALineLinuxWouldTruncate() {
        IllegalArgumentException failure =
                assertThrows(IllegalArgumentException.class, () -> new KernelCommandLine("x".repeat(LONGEST + 1)));

        assertTrue(failure.getMessage().contains(String.valueOf(LONGEST)), failure.getMessage());
    }

    @Test
    void aRejectedAppendLeavesTheLineAsItWas() {
        KernelCommandLine line = new KernelCommandLine("x".repeat(LONGEST - 1));

        assertThrows(IllegalArgumentException.class, () -> line.append("y"));
        assertEquals(LONGEST - 1, line.toString().length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"init=/sbin/in\0it", "root=/dev/vdé", "a\nb", "tab\there", "\u007f"})
    void rejectsCharactersOutsidePrintableAscii(String parameter) {
        KernelCommandLine line = new KernelCommandLine("console=ttyS0");

        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> line.append(parameter));
        assertTrue(failure.getMessage().contains("printable ASCII"), failure.getMessage());
        assertEquals("console=ttyS0", line.toString());
    }
}
