package org.minivmm.container;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.minivmm.rootfs.launch.ExecProtocol;
import org.minivmm.rootfs.launch.ExecProtocol.Frame;
import org.minivmm.rootfs.launch.ExecProtocol.Type;

/** The exec socket and its client against a simulated guest: no KVM, real UNIX sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecBridgeTest {
    @TempDir
    Path directory;
    private Path socket;
    private ExecBridge bridge;
    private final FakeGuest guest = new FakeGuest();

    /**
     * The init's exec server as the bridge sees it: it answers RESETs by itself (unless told not to), keeps
     * count of its output window, and hands every other frame to the test, which answers for it.
     */
    private static final class FakeGuest implements ExecBridge.Console {
        final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> resets = new LinkedBlockingQueue<>();
        private final ExecProtocol.Decoder decoder = new ExecProtocol.Decoder(
                EnumSet.of(Type.RESET, Type.REQUEST, Type.STDIN, Type.STDIN_END, Type.SIGNAL, Type.OUTPUT_ACK));
        volatile boolean answersResets = true;
        private long outputUnacknowledged;
        OutputStream output;

        @Override
        public synchronized void send(byte[] frame) {
            ByteBuffer bytes = ByteBuffer.wrap(frame);
            try {
                for (Frame taken; (taken = decoder.take(bytes)) != null; ) {
                    if (taken.type() == Type.RESET) {
                        resets.add(taken.payload());
                        outputUnacknowledged = 0;
                        if (answersResets) {
                            reply(Type.RESET_DONE, taken.payload());
                        }
                    } else if (taken.type() == Type.OUTPUT_ACK) {
                        outputUnacknowledged -= taken.acknowledged();
                        assertTrue(outputUnacknowledged >= 0, "the bridge acknowledged more output than was sent");
                        notifyAll();
                    } else {
                        received.add(taken);
                    }
                }
            } catch (ExecProtocol.ProtocolException e) {
                throw new AssertionError("the bridge sent the guest a bad frame: " + e.getMessage());
            }
        }

        /** Output as the exec server sends it: within its window, waiting up to {@code patience} for acknowledgements. */
        synchronized boolean output(Type type, byte[] bytes, Duration patience) throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            while (outputUnacknowledged + bytes.length > ExecProtocol.OUTPUT_WINDOW) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            outputUnacknowledged += bytes.length;
            reply(type, bytes);
            return true;
        }

        /** Output frames sent at once in one write, whatever the window says, as a broken guest would. */
        void outputNow(Type type, byte[]... payloads) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            for (byte[] payload : payloads) {
                synchronized (this) {
                    outputUnacknowledged += payload.length;
                }
                frames.writeBytes(ExecProtocol.encode(type, payload, 0, payload.length));
            }
            write(frames.toByteArray());
        }

        void output(Type type, String text) throws InterruptedException {
            assertTrue(output(type, text.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)), "no OUTPUT_ACK came");
        }

        void reply(Type type, byte[] payload) {
            write(ExecProtocol.encode(type, payload, 0, payload.length));
        }

        void write(byte[] bytes) {
            try {
                output.write(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        /** The next frame of {@code type}, skipping others (a client's STDIN_END, say). */
        Frame next(Type type) throws InterruptedException {
            for (;;) {
                Frame frame = received.poll(20, TimeUnit.SECONDS);
                assertNotNull(frame, "no " + type + " reached the guest");
                if (frame.type() == type) {
                    return frame;
                }
            }
        }

        void exit(int status) {
            reply(Type.EXIT, new byte[] {(byte) status});
        }

        /** Waits until {@code count} RESETs have come: they reach the guest from a thread of their own. */
        void awaitResets(int count) throws InterruptedException {
            for (int i = 0; i < 200 && resets.size() < count; i++) {
                Thread.sleep(50);
            }
            assertEquals(count, resets.size());
        }
    }

    /** A client run of ExecClient: its output and status once it ends. */
    private static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<IntConsumer> signals = new CompletableFuture<>();
        CompletableFuture<Integer> status;

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        int status() throws Exception {
            return status.get(30, TimeUnit.SECONDS);
        }

        /** The client failed, saying {@code message} in its one line. */
        void assertFailed(String message) throws Exception {
            assertEquals(ExecClient.FAILURE, status());
            assertTrue(err().contains(message), err());
        }
    }

    private Run start(InputStream stdin, String... command) {
        Run run = new Run();
        run.status = CompletableFuture.supplyAsync(() -> ExecClient.run(socket, List.of(command), stdin, run.out,
                new PrintStream(run.err, true, StandardCharsets.UTF_8), forward -> {
                    run.signals.complete(forward);
                    return () -> { };
                }));
        return run;
    }

    private Run start(String... command) {
        return start(InputStream.nullInputStream(), command);
    }

    @BeforeEach
    void openTheBridge() throws ContainerException {
        socket = directory.resolve("exec.sock");
        bridge = ExecBridge.open(socket, Duration.ofSeconds(2));
        guest.output = bridge.guestOutput();
        bridge.start(guest);
        bridge.guestReady();
    }

    @AfterEach
    void closeTheBridge() {
        bridge.close();
    }

    @Test
    void aCommandsOutputAndStatusComeBack() throws Exception {
        Run run = start("sh", "-c", "echo hi; echo warn >&2; exit 3");
        Frame request = guest.next(Type.REQUEST);
        assertArrayEquals("sh\0-c\0echo hi; echo warn >&2; exit 3\0".getBytes(StandardCharsets.UTF_8), request.payload());
        guest.next(Type.STDIN_END);
        guest.output(Type.STDOUT, "hi\n");
        guest.output(Type.STDERR, "warn\n");
        guest.exit(3);
        assertEquals(3, run.status());
        assertEquals("hi\n", run.out());
        assertEquals("warn\n", run.err());
        assertEquals(1, guest.resets.size(), "one RESET before the session, none after its EXIT");
    }

    @Test
    void stdinFlowsWithinTheWindowAndEnds() throws Exception {
        byte[] input = new byte[300_000];
        new Random(1).nextBytes(input);
        Run run = start(new ByteArrayInputStream(input), "cat");
        guest.next(Type.REQUEST);
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        for (Frame frame; (frame = guest.received.poll(20, TimeUnit.SECONDS)).type() != Type.STDIN_END; ) {
            assertEquals(Type.STDIN, frame.type());
            echoed.writeBytes(frame.payload());
            assertTrue(guest.output(Type.STDOUT, frame.payload(), Duration.ofSeconds(20)), "no OUTPUT_ACK came");
            guest.write(ExecProtocol.acknowledgement(Type.STDIN_ACK, frame.payload().length));
        }
        guest.exit(0);
        assertEquals(0, run.status(), run.err());
        assertArrayEquals(input, echoed.toByteArray());
        assertArrayEquals(input, run.out.toByteArray());
    }

    @Test
    void withoutAcknowledgementsTheClientStopsAtTheWindow() throws Exception {
        Run run = start(new ByteArrayInputStream(new byte[200_000]), "cat");
        guest.next(Type.REQUEST);
        long sent = 0;
        for (Frame frame; (frame = guest.received.poll(500, TimeUnit.MILLISECONDS)) != null; ) {
            sent += frame.payload().length;
        }
        assertEquals(ExecProtocol.STDIN_WINDOW, sent, "without acknowledgements the client stops at the window");
        guest.exit(0);
        assertEquals(0, run.status());
    }

    @Test
    void signalsArePassedOn() throws Exception {
        Run run = start("sleep", "100");
        guest.next(Type.REQUEST);
        run.signals.get(20, TimeUnit.SECONDS).accept(2);
        assertArrayEquals(new byte[] {2}, guest.next(Type.SIGNAL).payload());
        guest.exit(130);
        assertEquals(130, run.status(), run.err());
    }

    @Test
    void aSecondClientWaitsForTheFirstSessionToEnd() throws Exception {
        Run first = start("sleep", "100");
        guest.next(Type.REQUEST);
        Run second = start("true");
        Thread.sleep(500);
        assertFalse(second.status.isDone());
        assertTrue(guest.received.stream().noneMatch(frame -> frame.type() == Type.REQUEST), "the second waits");
        guest.exit(0);
        assertEquals(0, first.status());
        assertArrayEquals("true\0".getBytes(StandardCharsets.US_ASCII), guest.next(Type.REQUEST).payload());
        guest.exit(0);
        assertEquals(0, second.status());
    }

    @Test
    void aClientThatGoesAwayMidSessionHasItsCommandKilledAndTheNextClientWorks() throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ExecProtocol.request(List.of("sleep", "100"))));
            guest.next(Type.REQUEST);
            guest.output(Type.STDOUT, "partial");
        }
        guest.resets.take();
        assertNotNull(guest.resets.poll(20, TimeUnit.SECONDS), "a RESET, which kills the command, follows the client's end");
        guest.reply(Type.STDOUT, "late output of the killed command".getBytes(StandardCharsets.US_ASCII));

        Run next = start("echo", "again");
        guest.next(Type.REQUEST);
        guest.output(Type.STDOUT, "again\n");
        guest.exit(0);
        assertEquals(0, next.status(), next.err());
        assertEquals("again\n", next.out(), "nothing of the killed command's output reaches the next client");
    }

    @Test
    void garbageFromTheGuestEndsTheSessionWithAClearErrorAndTheNextSessionWorks() throws Exception {
        Run run = start("ls");
        guest.next(Type.REQUEST);
        guest.write(new byte[] {0x42, 3, 0, 0, 0, 'b', 'a', 'd'});
        assertEquals(ExecClient.FAILURE, run.status());
        assertEquals("minivmm exec: the container's exec server sent a frame of unknown type 0x42; the session is ended\n",
                run.err());
        guest.write("more garbage after the bad frame".getBytes(StandardCharsets.US_ASCII));

        Run next = start("true");
        guest.next(Type.REQUEST);
        guest.exit(0);
        assertEquals(0, next.status(), next.err());
    }

    @Test
    void anOversizeFrameFromTheGuestIsRefusedBeforeItsPayload() throws Exception {
        Run run = start("ls");
        guest.next(Type.REQUEST);
        guest.write(new byte[] {(byte) 0x82, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        run.assertFailed("sent a STDOUT frame of 4294967295 bytes (it takes 1 to 65536)");
    }

    @Test
    void moreOutputThanTheWindowIsABrokenGuest() throws Exception {
        Run run = start("cat", "big");
        guest.next(Type.REQUEST);
        guest.outputNow(Type.STDOUT, new byte[40_000], new byte[40_000]); // in one write: no acknowledgement between
        run.assertFailed("sent more output than the window of 65536 unacknowledged bytes");
    }

    @Test
    void aClientThatDoesNotReadHoldsBackTheOutputButNeverTheConsole() throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            client.write(ByteBuffer.wrap(ExecProtocol.request(List.of("cat", "big"))));
            guest.next(Type.REQUEST);
            byte[] chunk = new byte[ExecProtocol.OUTPUT_WINDOW / 4];
            long sent = 0;
            long slowest = 0;
            for (;;) {
                long before = System.nanoTime();
                boolean taken = guest.output(Type.STDOUT, chunk, Duration.ofSeconds(2));
                slowest = Math.max(slowest, System.nanoTime() - before);
                if (!taken) {
                    break;
                }
                sent += chunk.length;
                assertTrue(sent < 64L << 20, "output went on and on to a client that reads nothing");
            }
            assertTrue(sent >= ExecProtocol.OUTPUT_WINDOW, "the window's worth is always taken: " + sent);
            long start = System.nanoTime();
            guest.outputNow(Type.STDERR, new byte[1]); // beyond the window: a broken guest
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "the console's thread waited");
        }
        guest.awaitResets(2);
    }

    @Test
    void aGuestThatBreaksTheProtocolInWellFormedFramesIsCaughtToo() throws Exception {
        Run acknowledgingTooMuch = start("cat");
        guest.next(Type.REQUEST);
        guest.write(ExecProtocol.acknowledgement(Type.STDIN_ACK, 1));
        acknowledgingTooMuch.assertFailed("acknowledged 1 bytes of stdin when 0 were waiting");

        Run strayAnswer = start("true");
        guest.next(Type.REQUEST);
        guest.reply(Type.RESET_DONE, "whatever".getBytes(StandardCharsets.US_ASCII));
        strayAnswer.assertFailed("sent a RESET_DONE that no RESET asked for");
    }

    @Test
    void aGuestThatDoesNotAnswerGetsTheClientAnErrorNotAHang() throws Exception {
        guest.answersResets = false;
        Run run = start("true");
        assertEquals(ExecClient.FAILURE, run.status());
        assertEquals("minivmm exec: the container's exec server did not answer within 2s; the container may be"
                + " overloaded or its init broken: try again later\n", run.err());
    }

    @Test
    void whenTheExecServerEndsTheClientIsToldAndLaterOnesAtOnce() throws Exception {
        Run run = start("sleep", "100");
        guest.next(Type.REQUEST);
        bridge.guestEnded();
        run.assertFailed("the container's exec server has ended or could not start");
        Run later = start("true");
        later.assertFailed("exec does not work in this container");
    }

    @Test
    void whenTheContainerEndsMidSessionTheClientSaysSo() throws Exception {
        Run run = start("sleep", "100");
        guest.next(Type.REQUEST);
        bridge.close();
        assertEquals(ExecClient.FAILURE, run.status());
        assertEquals("minivmm exec: the container ended before sleep finished (no exit status came back)\n", run.err());
        assertFalse(Files.exists(socket), "the socket is removed with the container");
    }

    @Test
    void aClientThatBreaksTheProtocolGetsAnErrorAndItsCommandIsKilled() throws Exception {
        byte[][][] sessions = {
            {ExecProtocol.signal(2)},
            {ExecProtocol.request(List.of("cat")), ExecProtocol.request(List.of("cat"))},
            {ExecProtocol.request(List.of("cat")), new byte[] {3, 1, 0, 2, 0}},
            {ExecProtocol.request(List.of("cat")), {0x42, 0, 0, 0, 0}},
            {ExecProtocol.request(List.of("cat")), ExecProtocol.encode(Type.STDIN_END, new byte[0], 0, 0),
                ExecProtocol.encode(Type.STDIN, new byte[1], 0, 1)},
            {ExecProtocol.request(List.of("cat")), ExecProtocol.encode(Type.STDIN, new byte[60_000], 0, 60_000),
                ExecProtocol.encode(Type.STDIN, new byte[10_000], 0, 10_000)},
        };
        String[] errors = {"a SIGNAL frame before the REQUEST", "a second REQUEST", "a STDIN frame of 131073 bytes",
            "a frame of unknown type 0x42", "STDIN after STDIN_END", "more stdin than the window"};
        for (int i = 0; i < sessions.length; i++) {
            int resetsBefore = guest.resets.size();
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                for (byte[] frame : sessions[i]) {
                    client.write(ByteBuffer.wrap(frame));
                }
                Frame error = readFrame(client);
                assertEquals(Type.ERROR, error.type(), errors[i]);
                String message = new String(error.payload(), StandardCharsets.UTF_8);
                assertTrue(message.startsWith("minivmm's exec socket got " + errors[i]), message);
                assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the connection ends after the ERROR");
            }
            guest.awaitResets(resetsBefore + 2); // one before the session, one that kills its command
            guest.received.clear();
        }
    }

    private static Frame readFrame(SocketChannel client) throws IOException {
        ExecProtocol.Decoder decoder = new ExecProtocol.Decoder(ExecProtocol.TO_CLIENT);
        ByteBuffer buffer = ByteBuffer.allocate(ExecProtocol.HEADER_BYTES + ExecProtocol.MAX_PAYLOAD);
        for (;;) {
            assertTrue(client.read(buffer) >= 0, "the connection ended without a frame");
            buffer.flip();
            Frame frame = decoder.take(buffer);
            if (frame != null) {
                return frame;
            }
            buffer.compact();
        }
    }

    @Test
    void theSocketIsPrivateAndRemovedWithTheBridge() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        bridge.close();
        assertFalse(Files.exists(socket));
    }

    @Test
    void badSocketPathsAreRefusedWithWhatToDo() throws IOException {
        Path existing = Files.createFile(directory.resolve("taken"));
        assertEquals("--exec-socket " + existing + " already exists: remove it if no container uses it any more, or"
                + " choose another path", assertThrows(ContainerException.class, () -> ExecBridge.open(existing)).getMessage());
        Path nowhere = directory.resolve("no/such/dir/exec.sock");
        assertEquals("--exec-socket " + nowhere + ": the directory " + nowhere.getParent() + " does not exist; create it"
                + " first", assertThrows(ContainerException.class, () -> ExecBridge.open(nowhere)).getMessage());
        Path long_ = directory.resolve("x".repeat(120));
        assertTrue(assertThrows(ContainerException.class, () -> ExecBridge.open(long_)).getMessage()
                .endsWith("bytes long; a UNIX socket's path can have at most 107: choose a shorter one"));
        assertTrue(Files.exists(existing), "nothing is removed that the bridge did not make");
    }

    @Test
    void theClientSaysWhatIsWrongWithTheSocket() throws Exception {
        Path missing = directory.resolve("missing.sock");
        assertClientFails(missing, "minivmm exec: no exec socket at " + missing + ": is a container running with"
                + " --exec-socket " + missing + "?");
        Path file = Files.writeString(directory.resolve("file"), "x");
        assertClientFails(file, "minivmm exec: " + file + " is not a socket: give the --exec-socket path of a running"
                + " container");
        Path stale = directory.resolve("stale.sock");
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(stale)).close();
        assertClientFails(stale, "minivmm exec: nothing listens on " + stale + ": its container has ended (then remove"
                + " the file)");

        Path other = directory.resolve("other.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(other));
            CompletableFuture.runAsync(() -> {
                try (SocketChannel peer = server.accept()) {
                    peer.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\n".getBytes(StandardCharsets.US_ASCII)));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertClientFails(other, "minivmm exec: " + other + " does not answer as a minivmm exec socket (it sent a"
                    + " frame of unknown type 0x48)");
        }
    }

    private void assertClientFails(Path path, String message) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExecClient.run(path, List.of("true"), InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                new PrintStream(err, true, StandardCharsets.UTF_8), forward -> () -> { });
        assertEquals(ExecClient.FAILURE, status);
        assertEquals(message + "\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCommandThatCannotBeSentIsRefusedBeforeConnecting() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExecClient.FAILURE, ExecClient.run(socket, List.of("echo", "a\0b"), InputStream.nullInputStream(),
                OutputStream.nullOutputStream(), new PrintStream(err, true, StandardCharsets.UTF_8), forward -> () -> { }));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("holds a NUL character"));
        assertNull(guest.received.poll());
    }
}
