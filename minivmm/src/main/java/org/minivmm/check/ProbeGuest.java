package org.minivmm.check;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.minivmm.host.CacheDirectory;
import org.minivmm.vmm.StopReason;
import org.minivmm.vmm.VmConfig;
import org.minivmm.vmm.VmRunner;

/**
 * The probe guest embedded in the jar: a small freestanding program that checks, from inside a VM,
 * what the VMM gave it, and ends its report with PROBE-OK or PROBE-FAIL. The kernel is mapped in place,
 * so it needs a file: it is written once to the cache, named by its digest.
 */
public final class ProbeGuest {
    public static final long RAM_BYTES = 64L << 20;
    private static final String RESOURCE = "/probe/probe.elf";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The probe's blk-test reads this marker from sector 0 and writes sector 1. */
    private static final String TEST_DISK_MARKER = "MINIVMM-TEST-DISK";
    private static final int TEST_DISK_BYTES = 64 * 1024;

    /** What one boot of the probe showed. */
    public record Result(boolean passed, StopReason stopReason, List<String> report, long millis) {
        public String verdict() {
            return report.stream().filter(line -> line.startsWith("PROBE-")).reduce((a, b) -> b)
                    .orElse("no verdict: " + stopReason.detail());
        }
    }

    private ProbeGuest() {
    }

    /** The probe's file in the cache, written there from the jar if it is not yet. */
    public static Path file() throws IOException {
        byte[] probe;
        try (InputStream in = ProbeGuest.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("the probe guest is missing from the jar (" + RESOURCE + "); rebuild minivmm");
            }
            probe = in.readAllBytes();
        }
        Path directory = CacheDirectory.resolve("probe");
        Path file = directory.resolve("probe-" + sha256(probe).substring(0, 16) + ".elf");
        if (!Files.exists(file)) {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "probe", ".tmp");
            Files.write(temporary, probe);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    public static Result boot(Path probe, String cmdline) throws VmRunner.SetupFailure {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        return boot(new VmConfig(probe, RAM_BYTES, 1, cmdline, console, false), console);
    }

    /**
     * Boots the probe with a virtio entropy device and a scratch test disk, which it reads, writes and
     * flushes: what `minivmm check` runs.
     */
    public static Result bootWithDevices(Path probe, String cmdline) throws VmRunner.SetupFailure, IOException {
        Path disk = Files.createTempFile("minivmm-check", ".img");
        try {
            byte[] content = new byte[TEST_DISK_BYTES];
            byte[] marker = TEST_DISK_MARKER.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(marker, 0, content, 0, marker.length);
            Files.write(disk, content);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            return boot(new VmConfig(probe, RAM_BYTES, 1, cmdline + " blk-test", console, false,
                    List.of(new VmConfig.Disk(disk, false)), List.of(), true, List.of(), null), console);
        } finally {
            Files.deleteIfExists(disk);
        }
    }

    /** {@code console} is the buffer {@code config} writes the serial console to. */
    private static Result boot(VmConfig config, ByteArrayOutputStream console) throws VmRunner.SetupFailure {
        long start = System.nanoTime();
        StopReason reason = VmRunner.run(config, TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> report = console.toString(StandardCharsets.UTF_8).lines().toList();
        boolean passed = reason.kind() == StopReason.Kind.GUEST_EXIT && reason.guestStatus() == 0
                && !report.isEmpty() && report.get(report.size() - 1).equals("PROBE-OK");
        return new Result(passed, reason, report, millis);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
