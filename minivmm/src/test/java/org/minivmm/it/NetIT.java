package org.minivmm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * virtio-net end to end on the real /dev/kvm: minivmm runs in a network namespace of the test's own,
 * on a TAP made there, and the probe guest sends an ARP request through it. On the host side a small
 * C program (compiled here) receives the guest's frame from the TAP with a packet socket and answers
 * it, and the probe must see the answer. All traffic stays in the namespace, which is always deleted.
 * `minivmm check` does the same in a namespace of its own, where the kernel answers, or says why not.
 */
class NetIT {
    private static final String TAP = "mvit0";
    private static final String GUEST_MAC = "02:6e:65:74:69:74";
    private static final String PEER_MAC = "02:70:65:65:72:01";

    @TempDir
    static Path directory;
    private static Path peer;
    private String namespace;

    @BeforeAll
    static void hostCanDoIt() throws Exception {
        TestHost.requireKvm();
        if (!System.getProperty("user.name").equals("root")) {
            fail("NetIT needs root: it creates a network namespace and a TAP device (as the image tests need root)");
        }
        Path source = directory.resolve("arp-peer.c");
        try (InputStream in = NetIT.class.getResourceAsStream("/it/arp-peer.c")) {
            Files.copy(in, source);
        }
        peer = directory.resolve("arp-peer");
        TestHost.Finished gcc = TestHost.run(List.of("gcc", "-O2", "-Wall", "-o", peer.toString(), source.toString()), "");
        assertEquals(0, gcc.exitCode(), gcc.stderr());
    }

    @BeforeEach
    void namespaceWithATap() throws Exception {
        namespace = "minivmm-it-" + UUID.randomUUID().toString().substring(0, 8);
        ip("netns", "add", namespace);
        inNamespace("ip", "tuntap", "add", "dev", TAP, "mode", "tap");
        inNamespace("ip", "link", "set", TAP, "up");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        ip("netns", "del", namespace); // its TAP goes with it
        assertTrue(Files.notExists(Path.of("/run/netns", namespace)), "namespace " + namespace + " left behind");
    }

    @Test
    void theGuestsFrameComesOutOfTheTapAndTheAnswerGetsBackIn() throws Exception {
        Process answering = new ProcessBuilder("ip", "netns", "exec", namespace, peer.toString(), TAP, "45")
                .redirectErrorStream(true).start();
        try {
            BufferedReader peerOutput = new BufferedReader(new InputStreamReader(answering.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", peerOutput.readLine(), "the host end did not start");

            TestHost.Finished vm = TestHost.run(List.of("ip", "netns", "exec", namespace, TestHost.launcher().toString(),
                    "run", "--kernel", TestHost.probe().toString(), "--net", "tap=" + TAP + ",mac=" + GUEST_MAC,
                    "--cmdline", "net-test"), "");
            String report = vm.stdout();
            assertEquals(0, vm.exitCode(), report + vm.stderr());
            assertTrue(report.contains("probe: virtio@0xd0000000 irq 5: device 1 (network)"), report);
            assertTrue(report.contains("probe: virtio-net@0xd0000000 mac " + GUEST_MAC + ", link up"), report);
            assertTrue(report.contains("NET-OK: ARP request sent, reply: 192.0.2.1 is at " + PEER_MAC), report);
            assertTrue(report.endsWith("PROBE-OK\n"), report);

            assertTrue(answering.waitFor(10, TimeUnit.SECONDS), "the host end did not finish");
            String seen = peerOutput.readLine();
            assertEquals(0, answering.exitValue(), seen);
            assertEquals("request from " + GUEST_MAC + " to broadcast length 60, reply sent from " + PEER_MAC, seen,
                    "the host saw the guest's frame as sent: its MAC, broadcast, 60 bytes, no header in front");
        } finally {
            answering.destroyForcibly().waitFor();
        }
    }

    @Test
    void withNoAnswerTheProbeSaysNetFailAndWithNoTapMinivmmSaysWhatToDo() throws Exception {
        TestHost.Finished unanswered = TestHost.run(List.of("ip", "netns", "exec", namespace, TestHost.launcher().toString(),
                "run", "--kernel", TestHost.probe().toString(), "--net", "tap=" + TAP, "--cmdline", "net-test"), "");
        assertEquals(1, unanswered.exitCode(), unanswered.stdout() + unanswered.stderr());
        assertTrue(unanswered.stdout().contains("NET-FAIL: no ARP reply from 192.0.2.1 in time"), unanswered.stdout());
        assertTrue(unanswered.stdout().contains("mac 02:"), "a locally administered default MAC: " + unanswered.stdout());

        TestHost.Finished missing = TestHost.run(List.of("ip", "netns", "exec", namespace, TestHost.launcher().toString(),
                "run", "--kernel", TestHost.probe().toString(), "--net", "tap=mvnone0"), "");
        assertEquals(125, missing.exitCode());
        assertEquals("minivmm: error: there is no TAP interface mvnone0: create it first (ip tuntap add dev mvnone0 mode tap;"
                + " ip link set mvnone0 up)\n", missing.stderr());
    }

    @Test
    void checkTestsTheNetworkInItsOwnNamespaceAndSaysWhyWhenItCannot() throws Exception {
        TestHost.Finished check = TestHost.run(TestHost.minivmm("check"), "");
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("network:      NET-OK: ARP request sent, reply: 192.0.2.1 is at "), check.stdout());
        TestHost.Finished hostLinks = TestHost.run(List.of("ip", "-o", "link"), "");
        assertTrue(!hostLinks.stdout().contains("minivmm0"), "check's TAP appeared outside its namespace: " + hostLinks.stdout());

        // Root without the capabilities a namespace and a TAP take (setpriv is in util-linux, on every Debian).
        List<String> limited = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin,-sys_admin", "--"));
        limited.addAll(TestHost.minivmm("check"));
        TestHost.Finished withoutCapabilities = TestHost.run(limited, "");
        assertEquals(0, withoutCapabilities.exitCode(), withoutCapabilities.stdout() + withoutCapabilities.stderr());
        assertTrue(withoutCapabilities.stdout().contains("network:      not tested: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)"),
                withoutCapabilities.stdout());
    }

    private void inNamespace(String... command) throws IOException, InterruptedException {
        String[] full = new String[command.length + 3];
        full[0] = "netns";
        full[1] = "exec";
        full[2] = namespace;
        System.arraycopy(command, 0, full, 3, command.length);
        ip(full);
    }

    private static void ip(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(arguments));
        TestHost.Finished done = TestHost.run(command, "");
        assertEquals(0, done.exitCode(), String.join(" ", command) + ": " + done.stderr());
    }
}
