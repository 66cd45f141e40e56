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
import org.minivmm.host.NativeException;
import org.minivmm.host.PrivateNetwork;
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

    /** The TAP `minivmm check` makes in its private network namespace, the guest's MAC, and the address the kernel answers for. */
    private static final String CHECK_TAP = "minivmm0";
    private static final byte[] CHECK_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    private static final byte[] CHECK_HOST_ADDRESS = {(byte) 192, 0, 2, 1};
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * What one boot of the probe showed. {@code noNetworkReason} says why the probe had no network
     * interface to test, or is null when it had one.
     */
    public record Result(boolean passed, StopReason stopReason, List<String> report, long millis, String noNetworkReason) {
        public String verdict() {
            return report.stream().filter(line -> line.startsWith("PROBE-")).reduce((a, b) -> b)
                    .orElse("no verdict: " + stopReason.detail());
        }

        /** The probe's NET-OK or NET-FAIL line, or why the network was not tested. */
        public String networkVerdict() {
            if (noNetworkReason != null) {
                return "not tested: " + noNetworkReason;
            }
            return report.stream().filter(line -> line.contains(" NET-OK") || line.contains(" NET-FAIL"))
                    .map(line -> line.substring(line.indexOf("NET-"))).findFirst().orElse("NET-FAIL: the probe gave no verdict");
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
        return boot(new VmConfig(probe, RAM_BYTES, 1, cmdline, console, false), console, "not asked for");
    }

    /**
     * What `minivmm check` runs: the probe with a virtio entropy device, a scratch test disk, which it
     * reads, writes and flushes, and, when this process may make one (see {@link #networkUnavailable}),
     * a virtio-net device. That one is on a TAP in a network namespace of the check's own, where the TAP
     * has the address 192.0.2.1, so the host's kernel answers the probe's ARP request and nothing
     * outside the namespace sees a frame or a change. When the network cannot be tested the result says why.
     */
    public static Result bootForCheck(Path probe, String cmdline) throws VmRunner.SetupFailure, IOException {
        String noNetworkReason = networkUnavailable();
        if (noNetworkReason == null) {
            try {
                return PrivateNetwork.call(() -> {
                    try {
                        PrivateNetwork.addTap(CHECK_TAP, CHECK_HOST_ADDRESS, 24);
                    } catch (RuntimeException e) {
                        throw new NetworkSetupFailure(e);
                    }
                    return bootWithDevices(probe, cmdline + " net-test", List.of(new VmConfig.Net(CHECK_TAP, CHECK_MAC)), null);
                });
            } catch (NetworkSetupFailure | NativeException e) {
                // NativeException here can only be the unshare: VmRunner turns the VM's own into SetupFailure.
                noNetworkReason = "no private network namespace with a TAP could be made: " + e.getMessage();
            } catch (VmRunner.SetupFailure | IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return bootWithDevices(probe, cmdline, List.of(), noNetworkReason);
    }

    /** A TAP in the private namespace could not be made or configured: the network goes untested. */
    private static final class NetworkSetupFailure extends Exception {
        NetworkSetupFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Why `minivmm check` cannot test networking here, or null when it can: it needs /dev/net/tun and the
     * capabilities to make a network namespace and a TAP (CAP_SYS_ADMIN and CAP_NET_ADMIN: root).
     */
    public static String networkUnavailable() {
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun does not exist (load the tun module: modprobe tun)";
        }
        long capabilities;
        try {
            capabilities = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(line -> line.startsWith("CapEff:"))
                    .map(line -> Long.parseUnsignedLong(line.substring(7).trim(), 16)).findFirst().orElse(0L);
        } catch (IOException | NumberFormatException e) {
            capabilities = 0;
        }
        if ((capabilities & (1L << CAP_NET_ADMIN)) == 0 || (capabilities & (1L << CAP_SYS_ADMIN)) == 0) {
            return "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to make a TAP in a private network namespace;"
                    + " run it as root, or try run --net tap=NAME with a TAP of your own";
        }
        return null;
    }

    private static Result bootWithDevices(Path probe, String cmdline, List<VmConfig.Net> nets, String noNetworkReason)
            throws VmRunner.SetupFailure, IOException {
        Path disk = Files.createTempFile("minivmm-check", ".img");
        try {
            byte[] content = new byte[TEST_DISK_BYTES];
            byte[] marker = TEST_DISK_MARKER.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(marker, 0, content, 0, marker.length);
            Files.write(disk, content);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            return boot(new VmConfig(probe, RAM_BYTES, 1, cmdline + " blk-test", console, false,
                    List.of(new VmConfig.Disk(disk, false)), List.of(), true, List.of(), null).withNets(nets), console,
                    noNetworkReason);
        } finally {
            Files.deleteIfExists(disk);
        }
    }

    /** {@code console} is the buffer {@code config} writes the serial console to. */
    private static Result boot(VmConfig config, ByteArrayOutputStream console, String noNetworkReason)
            throws VmRunner.SetupFailure {
        long start = System.nanoTime();
        StopReason reason = VmRunner.run(config, TIMEOUT);
        long millis = (System.nanoTime() - start) / 1_000_000;
        List<String> report = console.toString(StandardCharsets.UTF_8).lines().toList();
        boolean passed = reason.kind() == StopReason.Kind.GUEST_EXIT && reason.guestStatus() == 0
                && !report.isEmpty() && report.get(report.size() - 1).equals("PROBE-OK");
        return new Result(passed, reason, report, millis, noNetworkReason);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
