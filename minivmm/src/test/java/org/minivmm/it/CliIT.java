package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: scripts/minivmm on the packaged jar, in its own process. */
class CliIT {
    @TempDir
    static Path files;

    @BeforeAll
    static void kvm() {
        TestHost.requireKvm();
    }

    @Test
    void helpAndVersionWorkOnEveryCommand() throws Exception {
        TestHost.Finished help = TestHost.run(TestHost.minivmm("--help"), "");
        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("run") && help.stdout().contains("check") && help.stdout().contains("125"), help.stdout());
        TestHost.Finished runHelp = TestHost.run(TestHost.minivmm("run", "--help"), "");
        assertEquals(0, runHelp.exitCode());
        for (String option : new String[] {"--kernel", "--mem", "--cpus", "--cmdline", "--console"}) {
            assertTrue(runHelp.stdout().contains(option), option + " missing from: " + runHelp.stdout());
        }
        assertTrue(runHelp.stdout().contains("--exec-socket"), runHelp.stdout());
        TestHost.Finished execHelp = TestHost.run(TestHost.minivmm("exec", "--help"), "");
        assertEquals(0, execHelp.exitCode());
        assertTrue(execHelp.stdout().contains("--socket") && execHelp.stdout().contains("127"), execHelp.stdout());
        assertEquals(0, TestHost.run(TestHost.minivmm("check", "--help"), "").exitCode());
        TestHost.Finished version = TestHost.run(TestHost.minivmm("run", "--version"), "");
        assertTrue(version.stdout().matches("minivmm \\d+\\.\\d+\\.\\d+.*\\n"), version.stdout());
    }

    @Test
    void theGuestsExitStatusBecomesTheExitCode() throws Exception {
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--cmdline", "exit=7"), "");
        assertEquals(7, run.exitCode(), run.stderr());
        assertTrue(run.stdout().endsWith("PROBE-OK\n"), run.stdout());
        assertEquals("", run.stderr());
    }

    @Test
    void aGuestResetEndsTheVmWithZeroAndSaysHow() throws Exception {
        String[][] endings = {{"reset", "reset the machine (i8042)"}, {"triple-fault", "reset the machine (triple fault)"}};
        for (String[] ending : endings) {
            TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(),
                    "--cmdline", "exit=9 " + ending[0]), "");
            assertEquals(0, run.exitCode(), ending[0] + ": " + run.stderr());
            assertTrue(run.stdout().endsWith("PROBE-OK\n"), run.stdout());
            assertEquals("minivmm: the guest " + ending[1] + "\n", run.stderr());
        }
    }

    @Test
    void consoleCanGoToAFileOrNowhere() throws Exception {
        Path log = files.resolve("console.log");
        TestHost.Finished toFile = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(),
                "--console", log.toString()), "");
        assertEquals(0, toFile.exitCode(), toFile.stderr());
        assertEquals("", toFile.stdout());
        assertTrue(Files.readString(log).contains("PROBE-OK"));
        TestHost.Finished none = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--console", "none"), "");
        assertEquals(0, none.exitCode(), none.stderr());
        assertEquals("", none.stdout());
    }

    @Test
    void badKernelFilesGetOneClearLineAndCode125() throws Exception {
        Path garbage = Files.write(files.resolve("garbage"), "this is not a kernel at all, just text".repeat(20).getBytes());
        assertRefused(garbage.toString(), "not an ELF");
        Path gzipped = files.resolve("vmlinux.gz");
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(Files.readAllBytes(TestHost.probe()));
        }
        Files.write(gzipped, compressed.toByteArray());
        assertRefused(gzipped.toString(), "compress");
        byte[] bzImage = new byte[4096];
        bzImage[0x202] = 'H';
        bzImage[0x203] = 'd';
        bzImage[0x204] = 'r';
        bzImage[0x205] = 'S';
        assertRefused(Files.write(files.resolve("bzImage"), bzImage).toString(), "vmlinux");
        assertRefused(files.resolve("no-such-kernel").toString(), "no such file");
    }

    private static void assertRefused(String kernel, String expected) throws Exception {
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", kernel), "");
        assertEquals(125, run.exitCode(), run.stderr());
        assertOneLineError(run.stderr(), expected);
    }

    @Test
    void badOptionsGetOneClearLineAndCode125() throws Exception {
        String probe = TestHost.probe().toString();
        String[][] cases = {
            {"--mem", "lots", "memory size"},
            {"--mem", "4K", "minimum"},
            {"--cpus", "0", "--cpus"},
            {"--cpus", "1000", "--cpus"},
            {"--bogus", "x", "Unknown option"},
        };
        for (String[] bad : cases) {
            TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", probe, bad[0], bad[1]), "");
            assertEquals(125, run.exitCode(), String.join(" ", bad) + ": " + run.stderr());
            assertTrue(run.stderr().contains(bad[2]), String.join(" ", bad) + ": " + run.stderr());
            assertFalse(run.stderr().contains("Exception") || run.stderr().contains("\tat "), run.stderr());
        }
        TestHost.Finished noKernel = TestHost.run(TestHost.minivmm("run"), "");
        assertEquals(125, noKernel.exitCode());
        assertTrue(noKernel.stderr().contains("--kernel"), noKernel.stderr());
        TestHost.Finished execSocketWithoutImage = TestHost.run(TestHost.minivmm("run", "--kernel", probe, "--exec-socket",
                files.resolve("exec.sock").toString()), "");
        assertEquals(125, execSocketWithoutImage.exitCode());
        assertTrue(execSocketWithoutImage.stderr().contains("--exec-socket only apply to a container IMAGE"),
                execSocketWithoutImage.stderr());
    }

    @Test
    void execWithoutAContainerGetsOneClearLineAndCode125() throws Exception {
        Path socket = files.resolve("no-container.sock");
        TestHost.Finished exec = TestHost.run(TestHost.minivmm("exec", "--socket", socket.toString(), "--", "true"), "");
        assertEquals(125, exec.exitCode());
        assertEquals("minivmm exec: no exec socket at " + socket + ": is a container running with --exec-socket " + socket
                + "?\n", exec.stderr());
        TestHost.Finished noSocket = TestHost.run(TestHost.minivmm("exec", "true"), "");
        assertEquals(125, noSocket.exitCode());
        assertTrue(noSocket.stderr().startsWith("minivmm: error: Missing required option: '--socket=PATH'"), noSocket.stderr());
    }

    private static void assertOneLineError(String stderr, String expected) {
        assertTrue(stderr.startsWith("minivmm: error: "), stderr);
        assertEquals(1, stderr.lines().count(), "one line expected: " + stderr);
        assertTrue(stderr.toLowerCase().contains(expected.toLowerCase()), stderr);
    }

    @Test
    void sigtermStopsTheVmCleanlyWith143() throws Exception {
        Process vmm = new ProcessBuilder(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--cmdline", "halt"))
                .redirectErrorStream(true).start();
        String output = RunningVmm.awaitLine(vmm, "PROBE-OK");
        long pid = vmm.pid();
        new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start().waitFor();
        assertTrue(vmm.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "minivmm did not stop on SIGTERM");
        String rest = new String(vmm.getInputStream().readAllBytes());
        assertEquals(143, vmm.exitValue(), output + rest);
        assertTrue(rest.contains("stopped by SIGTERM"), rest);
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "the VMM process is still there");
    }

    @Test
    void aTerminalIsPutInRawModeAndRestored() throws Exception {
        // script(1) gives minivmm a real pseudo-terminal; stty prints its settings before and after.
        String inner = "stty -g; " + String.join(" ", TestHost.minivmm("run", "--kernel", TestHost.probe().toString(), "--cmdline", "exit=4"))
                + "; echo status=$?; stty -g";
        TestHost.Finished script = TestHost.run(java.util.List.of("script", "-qec", inner, "/dev/null"), "");
        String[] lines = script.stdout().replace("\r", "").split("\n");
        String before = lines[0];
        String after = lines[lines.length - 1];
        assertTrue(script.stdout().contains("PROBE-OK"), script.stdout());
        assertTrue(script.stdout().contains("status=4"), script.stdout());
        assertTrue(before.matches("[0-9a-f:]+"), "stty -g output expected first: " + before);
        assertEquals(before, after, "terminal settings after minivmm differ from before");
    }

    @Test
    void checkBootsTheProbeAndReportsTheHost() throws Exception {
        TestHost.Finished check = TestHost.run(TestHost.minivmm("check"), "");
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("PROBE-OK"), check.stdout());
        assertTrue(check.stdout().contains("KVM kind:"), check.stdout());
        TestHost.Finished json = TestHost.run(TestHost.minivmm("check", "--json"), "");
        assertEquals(0, json.exitCode(), json.stderr());
        String object = json.stdout().trim();
        assertTrue(object.startsWith("{\"ok\":true,") && object.endsWith("}"), object);
        assertTrue(object.contains("\"verdict\":\"PROBE-OK\""), object);
        assertTrue(object.contains("\"name\":\"IRQCHIP\""), object);
    }
}
