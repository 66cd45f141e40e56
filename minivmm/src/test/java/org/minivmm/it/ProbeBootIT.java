package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.minivmm.check.ProbeGuest;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.VmConfig;
import org.minivmm.vmm.VmRunner;

/** Boots the probe guest in this JVM against the real /dev/kvm and reads what it saw from inside. */
class ProbeBootIT {
    @BeforeAll
    static void kvm() {
        TestHost.requireKvm();
    }

    @Test
    void probeSeesWhatTheVmmGaveItAndPasses() throws Exception {
        ProbeGuest.Result result = ProbeGuest.boot(TestHost.probe(), "exit=0 ram-mib=64 marker=hello");
        List<String> report = result.report();
        assertTrue(result.passed(), () -> "probe failed: " + report);
        assertTrue(report.contains("probe: protocol linux64"), report::toString);
        assertTrue(report.contains("probe: cmdline \"exit=0 ram-mib=64 marker=hello\""), report::toString);
        // 64 MiB: base memory, the EBDA/BIOS hole, and RAM from 1 MiB up; nothing above 4 GiB.
        assertTrue(report.contains("probe: e820 3 entries"), report::toString);
        assertTrue(report.contains("probe: e820 0x100000-0x4000000 ram"), report::toString);
        assertTrue(report.contains("probe: segments ok"), report::toString);
        assertTrue(report.contains("probe: data write ok"), report::toString);
        assertEquals("PROBE-OK", report.get(report.size() - 1));
    }

    @Test
    void exitStatusComesFromTheGuest() throws Exception {
        ProbeGuest.Result result = ProbeGuest.boot(TestHost.probe(), "exit=7");
        assertEquals(StopReason.Kind.GUEST_EXIT, result.stopReason().kind());
        assertEquals(7, result.stopReason().guestStatus());
    }

    @Test
    void aFailedCheckInsideTheGuestIsReported() throws Exception {
        ProbeGuest.Result result = ProbeGuest.boot(TestHost.probe(), "exit=0 ram-mib=1");
        assertFalse(result.passed());
        assertTrue(result.verdict().startsWith("PROBE-FAIL: e820"), result::verdict);
        assertEquals(1, result.stopReason().guestStatus());
    }

    @Test
    void ramAboveTheMmioHoleContinuesAtFourGiB() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        long ram = 3L << 30 | 512L << 20; // 3.5 GiB: 512 MiB of it must land above 4 GiB
        StopReason reason = VmRunner.run(new VmConfig(TestHost.probe(), ram, 1, "exit=0 ram-mib=3584", console, false), null);
        String report = console.toString(StandardCharsets.UTF_8);
        assertEquals(StopReason.Kind.GUEST_EXIT, reason.kind(), report);
        assertEquals(0, reason.guestStatus(), report);
        assertTrue(report.contains("probe: e820 0x100000-0xc0000000 ram"), report);
        assertTrue(report.contains("probe: e820 0x100000000-0x120000000 ram"), report);
    }

    @Test
    void severalVcpusAreInTheMpTableAndAllTheirThreadsEnd() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        StopReason reason = VmRunner.run(new VmConfig(TestHost.probe(), 64L << 20, 4, "exit=3 cpus=4", console, false), null);
        String report = console.toString(StandardCharsets.UTF_8);
        assertEquals(3, reason.guestStatus(), report);
        // The guest parses the MP table as Linux does with ACPI off; the APs themselves wait for INIT/SIPI.
        assertTrue(report.contains("probe: mptable 4 cpus\n"), report);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("vcpu")),
                "vCPU threads left running after the VM stopped");
    }

    @Test
    void everyFileDescriptorIsClosedAfterTheVmStops() throws Exception {
        ProbeGuest.boot(TestHost.probe(), "exit=0"); // warm-up: jffi and the JDK open their own files once
        long before = openFileDescriptors();
        for (int i = 0; i < 3; i++) {
            ProbeGuest.boot(TestHost.probe(), "exit=0");
        }
        assertEquals(before, openFileDescriptors(), "KVM, vCPU or kernel file descriptors leaked");
    }

    private static long openFileDescriptors() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aCommandLineLongerThanLinuxTakesIsRefusedBeforeBoot() {
        String tooLong = "x".repeat(3000);
        VmRunner.SetupFailure failure = assertThrows(VmRunner.SetupFailure.class,
                () -> ProbeGuest.boot(TestHost.probe(), tooLong));
        assertTrue(failure.getMessage().contains("2048"), failure::getMessage);
    }
}
