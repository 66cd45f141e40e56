package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe guest drives minivmm's virtio devices on the real /dev/kvm: it discovers them from the
 * command line, negotiates, reads and writes a disk, is refused by a read-only one, reads entropy, and
 * sees each completion's interrupt (kicks arrive by ioeventfd, interrupts leave by irqfd).
 */
class VirtioIT {
    @TempDir
    static Path directory;

    @BeforeAll
    static void kvm() {
        TestHost.requireKvm();
    }

    private static Path testDisk(String name) throws Exception {
        byte[] disk = new byte[1 << 20];
        byte[] marker = "MINIVMM-TEST-DISK".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(marker, 0, disk, 0, marker.length);
        return Files.write(directory.resolve(name), disk);
    }

    @Test
    void theGuestUsesDisksAndEntropyAndTheHostSeesItsWrites() throws Exception {
        Path writable = testDisk("rw.img");
        Path readOnly = testDisk("ro.img");
        byte[] readOnlyBefore = Files.readAllBytes(readOnly);
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(),
                "--disk", writable.toString(), "--disk", readOnly + ",ro", "--rng", "--cmdline", "blk-test"), "");
        String report = run.stdout();
        assertEquals(0, run.exitCode(), report + run.stderr());
        assertTrue(report.contains("probe: virtio-blk@0xd0000000 2048 sectors, read ok, write ok, flush ok"), report);
        assertTrue(report.contains("probe: virtio-blk@0xd0001000 read-only: write refused"), report);
        assertTrue(report.contains("probe: virtio-rng@0xd0002000 64 bytes ok"), report);
        assertEquals(3, report.lines().filter(line -> line.contains("used-buffer interrupt seen and acknowledged")).count(), report);
        assertTrue(report.endsWith("PROBE-OK\n"), report);

        byte[] sector1 = Arrays.copyOfRange(Files.readAllBytes(writable), 512, 1024);
        assertTrue(new String(sector1, StandardCharsets.US_ASCII).startsWith("PROBE-WROTE-SECTOR-1"), "the flushed write reached the file");
        assertArrayEquals(readOnlyBefore, Files.readAllBytes(readOnly), "the read-only disk changed");
    }

    @Test
    void aVirtioConsoleCarriesTheGuestsOutputToStdout() throws Exception {
        TestHost.Finished run = TestHost.run(TestHost.minivmm("run", "--kernel", TestHost.probe().toString(),
                "--console", "virtio", "--cmdline", "exit=0"), "");
        assertEquals(0, run.exitCode(), "the probe exits 0 only after PROBE-OK: " + run.stderr());
        assertEquals("probe: hello through virtio-console\n", run.stdout(), "only hvc0 reaches stdout; the UART goes nowhere");
    }
}
