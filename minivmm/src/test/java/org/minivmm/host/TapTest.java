package org.minivmm.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.minivmm.virtio.net.VirtioNet;

/**
 * The TAP backend against the real kernel, each test in a network namespace of its own (so nothing on
 * the host changes, and everything vanishes with the test's thread): frames cross with the 12-byte
 * header, the kernel answers an ARP request sent through the TAP, and failures read as what to do.
 * Needs root, like the image tests: creating TAPs and namespaces takes CAP_NET_ADMIN and CAP_SYS_ADMIN.
 */
class TapTest {
    private static final byte[] GUEST_MAC = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    private static final byte[] HOST_IP = {(byte) 192, 0, 2, 1};
    private static final byte[] GUEST_IP = {(byte) 192, 0, 2, 2};

    @Test
    void interfaceNamesFollowLinuxsRules() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a:b", "a b", "tap%d", "sixteen-bytes-xx"}) {
            assertThrows(IllegalArgumentException.class, () -> Tap.checkName(bad), bad);
        }
        Tap.checkName("tap0");
        Tap.checkName("fifteen-bytes-x");
    }

    @Test
    void theKernelAnswersAnArpRequestSentThroughTheTap() throws Exception {
        List<String> warnings = new ArrayList<>();
        byte[] reply = PrivateNetwork.call(() -> {
            PrivateNetwork.addTap("mvtest0", HOST_IP, 24);
            try (Tap tap = Tap.open("mvtest0", warnings::add)) {
                // IPv6 may already have sent its first frames to the new interface; after them the read must not block.
                int frames = 0;
                while (tap.receive(new byte[VirtioNet.MAX_FRAME_BYTES]) >= 0 && frames < 100) {
                    frames++;
                }
                assertTrue(frames < 100, "the queue drains, and an empty one reads as -1");
                byte[] request = arpRequest();
                assertTrue(tap.send(request, 0, request.length));
                return awaitArpReply(tap);
            }
        });
        assertArrayEquals(GUEST_MAC, Arrays.copyOfRange(reply, 0, 6), "addressed to the guest");
        assertEquals(2, reply[21], "an ARP reply");
        assertArrayEquals(HOST_IP, Arrays.copyOfRange(reply, 28, 32), "for the host's address");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void failuresSayWhatToDo() throws Exception {
        PrivateNetwork.call(() -> {
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Tap.open("mvnone0", m -> { }));
            assertTrue(missing.getMessage().contains("ip tuntap add dev mvnone0 mode tap"), missing.getMessage());
            assertFalse(Files.readString(Path.of("/proc/thread-self/net/dev")).contains("mvnone0"),
                    "the TAP that TUNSETIFF made on the way is gone again");

            PrivateNetwork.addTap("mvbusy0", HOST_IP, 24);
            try (Tap first = Tap.open("mvbusy0", m -> { })) {
                IllegalArgumentException busy = assertThrows(IllegalArgumentException.class, () -> Tap.open("mvbusy0", m -> { }));
                assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
            }
            IllegalArgumentException notTap = assertThrows(IllegalArgumentException.class, () -> Tap.open("lo", m -> { }));
            assertTrue(notTap.getMessage().contains("not a single-queue TAP"), notTap.getMessage());
            return null;
        });
    }

    /** Who has 192.0.2.1? Tell 192.0.2.2: broadcast from the guest's MAC, padded to 60 bytes. */
    private static byte[] arpRequest() {
        ByteBuffer frame = ByteBuffer.allocate(60);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(GUEST_MAC).put(GUEST_IP).put(new byte[6]).put(HOST_IP);
        return frame.array();
    }

    /** The first ARP frame the kernel sends to the TAP within 5 s; IPv6 housekeeping frames are skipped. */
    private static byte[] awaitArpReply(Tap tap) throws Exception {
        byte[] buffer = new byte[VirtioNet.MAX_FRAME_BYTES];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int length = tap.receive(buffer);
            if (length >= 42 && buffer[12] == 0x08 && buffer[13] == 0x06) {
                return Arrays.copyOf(buffer, length);
            }
            if (length < 0) {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("no ARP reply through the TAP within 5 s");
    }
}
