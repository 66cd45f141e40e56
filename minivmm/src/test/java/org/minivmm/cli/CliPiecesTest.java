package org.minivmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.minivmm.vmm.StopReason;
import picocli.CommandLine;

class CliPiecesTest {
    private final SizeConverter sizes = new SizeConverter();

    @Test
    void sizesAreBinaryAndAPlainNumberIsMib() {
        assertEquals(128L << 20, sizes.convert("128"));
        assertEquals(128L << 20, sizes.convert("128M"));
        assertEquals(1L << 30, sizes.convert("1g"));
        assertEquals(1L << 30, sizes.convert("1GiB"));
        assertEquals(512L << 10, sizes.convert("512K"));
        for (String bad : new String[] {"", "lots", "-5", "0", "1.5G", "99999999999T"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> sizes.convert(bad), bad);
        }
    }

    @Test
    void exitCodesFollowTheDocumentedTable() {
        assertEquals(42, ExitCodes.of(StopReason.guestExit(42)));
        assertEquals(0, ExitCodes.of(StopReason.guestReset("i8042")));
        assertEquals(125, ExitCodes.of(StopReason.guestCrash("emulation failure")));
        assertEquals(125, ExitCodes.of(StopReason.timedOut(Duration.ofSeconds(1))));
        assertEquals(125, ExitCodes.of(StopReason.vmmError("bug")));
        assertEquals(143, ExitCodes.of(StopReason.signalled(15, "TERM")));
        assertEquals(130, ExitCodes.of(StopReason.signalled(2, "INT")));
    }

    @Test
    void wordsAfterTheImageAreTheCommandWithOrWithoutADoubleDash() {
        for (String[] args : new String[][] {{"--mem", "64M", "img", "ls", "-l", "--env"}, {"--mem", "64M", "img", "--", "ls", "-l", "--env"}}) {
            RunCommand run = new RunCommand();
            Main.runCommandLine(run).parseArgs(args);
            assertEquals(java.nio.file.Path.of("img"), run.image);
            assertEquals(java.util.List.of("ls", "-l", "--env"), run.containerCommand(), String.join(" ", args));
            assertEquals(64L << 20, run.ramBytes);
        }
    }

    @Test
    void wordsAfterTheExecCommandAreItsOwnWithOrWithoutADoubleDash() {
        for (String[] args : new String[][] {{"exec", "--socket", "s", "ls", "-l", "--socket"},
            {"exec", "--socket", "s", "--", "ls", "-l", "--socket"}}) {
            CommandLine.ParseResult parsed = Main.mainCommandLine().parseArgs(args);
            ExecCommand exec = (ExecCommand) parsed.subcommand().commandSpec().userObject();
            assertEquals(java.nio.file.Path.of("s"), exec.socket);
            assertEquals(java.util.List.of("ls", "-l", "--socket"), exec.command(), String.join(" ", args));
        }
    }

    @Test
    void jsonStringsAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", CheckReport.quote("a\"b\\c\nd\u0001"));
        assertEquals("null", CheckReport.quote(null));
    }
}
