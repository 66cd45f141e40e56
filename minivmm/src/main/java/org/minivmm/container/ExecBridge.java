package org.minivmm.container;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import jdk.net.ExtendedSocketOptions;
import org.minivmm.rootfs.launch.ExecProtocol;
import org.minivmm.rootfs.launch.ExecProtocol.Frame;
import org.minivmm.rootfs.launch.ExecProtocol.Type;
import org.minivmm.vmm.Log;

/**
 * The host's end of exec: a UNIX-domain socket whose clients ({@code minivmm exec}, rkt's enter) each get one
 * session with the guest init's exec server over the exec console. One client at a time: later ones wait in
 * the socket's backlog until the session ahead has ended.
 *
 * <p>It reads the frames ({@link ExecProtocol}) both ways, so that it can stand between the two: the client may
 * send a REQUEST, then stdin within the window, its end and signals; the guest only its own frames, with
 * lengths its types allow and output within its window. Each session starts with a RESET whose answer ends
 * whatever the guest sent before it. A session that ends without the command's EXIT (the client went away or
 * broke the protocol, the guest broke it, or the exec server ended) gets another RESET at once, which kills the
 * command, and the client, if still there, an ERROR saying why.
 *
 * <p>Nothing here waits on the console's thread: a virtio console's writer in the guest spins until the host
 * has taken its bytes, so the guest's frames are only checked and queued, and a thread of their own writes
 * them to the client, acknowledging output to the guest as it goes (at most a window is ever held). Frames for
 * the guest wait in a queue with a thread of its own too, so a guest that stops reading stalls only that
 * thread: a session still ends, with an ERROR, when its RESET is not answered. It knows nothing of KVM: the
 * console is a {@link Console}.
 */
final class ExecBridge implements AutoCloseable {
    /** The exec console's input: takes a whole frame for the guest, waiting while the console is full. */
    interface Console {
        void send(byte[] frame) throws InterruptedException;
    }

    /** How long a session waits for the guest to answer its RESET. */
    static final Duration ANSWER_PATIENCE = Duration.ofSeconds(30);
    /** A UNIX socket's path holds at most 107 bytes and a NUL. */
    static final int MAX_PATH_BYTES = 107;
    private static final int BACKLOG = 16;
    /** Frames waiting for the guest beyond this stop the client's until the guest takes some. */
    private static final int QUEUE_LIMIT = 4 * ExecProtocol.MAX_PAYLOAD;
    private static final String GUEST_ENDED = "the container's exec server has ended or could not start (its messages"
            + " are on the container's stderr): exec does not work in this container";

    /** A frame of the guest's for a session's client: output, or an acknowledgement of stdin, to be credited once written. */
    private record ToClient(long session, SocketChannel channel, Frame frame) {
    }

    private final Path path;
    private final ServerSocketChannel listener;
    private final UserPrincipal owner;
    private final Duration answerPatience;
    private final SecureRandom random = new SecureRandom();
    private final List<Thread> threads = List.of(new Thread(this::serve, "exec-bridge"),
            new Thread(this::writeToGuest, "exec-to-guest"), new Thread(this::writeToClients, "exec-to-client"));
    /** Frames to a client go whole, from the client writer and from the session's thread. */
    private final Object clientWrites = new Object();

    private final Object lock = new Object();
    // Guarded by lock:
    private final ExecProtocol.Decoder fromGuest = new ExecProtocol.Decoder(ExecProtocol.GUEST_TO_HOST);
    private final ArrayDeque<byte[]> toGuest = new ArrayDeque<>();
    private int queuedBytes;
    private final ArrayDeque<ToClient> toClient = new ArrayDeque<>();
    private Console console;
    private boolean guestReady;
    private boolean guestEnded;
    private boolean closed;
    /** Counts RESETs: what is acknowledged to the guest must belong to the session it is in. */
    private long session;
    /** The guest has answered the last RESET: what it sends belongs to the session. */
    private boolean inSync;
    /** The connection being served, from accept to close. */
    private SocketChannel serving;
    /** The session's client while the guest's frames go to it. */
    private SocketChannel client;
    /** Stdin sent to the guest whose acknowledgement has not reached the client: the client's window. */
    private long stdinUnacknowledged;
    /** Of that, what the guest has acknowledged in frames still queued for the client. */
    private long stdinAcknowledgedQueued;
    private long outputUnacknowledged;
    private boolean exited;
    private String guestProblem;

    private ExecBridge(Path path, ServerSocketChannel listener, UserPrincipal owner, Duration answerPatience) {
        this.path = path;
        this.listener = listener;
        this.owner = owner;
        this.answerPatience = answerPatience;
        fromGuest.drop(); // nothing the guest says counts before it answers the first RESET
    }

    /** Creates the socket at {@code path}, readable and writable by this user only; nothing is served before {@link #start}. */
    static ExecBridge open(Path path) throws ContainerException {
        return open(path, ANSWER_PATIENCE);
    }

    static ExecBridge open(Path path, Duration answerPatience) throws ContainerException {
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new ContainerException("--exec-socket " + path + " is " + length + " bytes long; a UNIX socket's path"
                    + " can have at most " + MAX_PATH_BYTES + ": choose a shorter one");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new ContainerException("--exec-socket " + path + " already exists: remove it if no container uses it"
                    + " any more, or choose another path");
        }
        Path directory = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            throw new ContainerException("--exec-socket " + path + ": the directory " + directory
                    + " does not exist; create it first");
        }
        ServerSocketChannel listener = null;
        boolean bound = false;
        try {
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            bound = true;
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return new ExecBridge(path, listener, Files.getOwner(path), answerPatience);
        } catch (IOException e) {
            closeQuietly(listener);
            if (bound) {
                ContainerRunner.deleteQuietly(path);
            }
            throw new ContainerException("cannot create the exec socket " + path + ": " + e.getMessage());
        }
    }

    /** Where the exec console's output goes: the guest's frames. Called on the console's thread; never waits. */
    OutputStream guestOutput() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                takeFromGuest(ByteBuffer.wrap(new byte[] {(byte) b}));
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                takeFromGuest(ByteBuffer.wrap(bytes, offset, length));
            }
        };
    }

    /** Starts serving clients through {@code console}, once the guest says it is ready. */
    void start(Console console) {
        synchronized (lock) {
            this.console = console;
        }
        for (Thread thread : threads) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The init's exec server has made its tty raw: the guest may be sent frames. */
    void guestReady() {
        synchronized (lock) {
            guestReady = true;
            lock.notifyAll();
        }
    }

    /** The init's exec server has ended, or could not start: no session can run any more. */
    void guestEnded() {
        synchronized (lock) {
            guestEnded = true;
            lock.notifyAll();
            detachClient(GUEST_ENDED);
        }
    }

    /** Stops serving, ends the client's connection, and removes the socket. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
            closeQuietly(serving);
        }
        closeQuietly(listener);
        threads.forEach(Thread::interrupt); // the guest's writer may wait for room in the console for ever
        try {
            threads.get(0).join(Duration.ofSeconds(2).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ContainerRunner.deleteQuietly(path);
    }

    private void serve() {
        try {
            synchronized (lock) {
                while (!guestReady && !guestEnded && !closed) {
                    lock.wait();
                }
            }
            for (;;) {
                SocketChannel channel = listener.accept();
                synchronized (lock) {
                    if (closed) {
                        closeQuietly(channel);
                        return;
                    }
                    serving = channel;
                }
                try (channel) {
                    serveClient(channel);
                } finally {
                    synchronized (lock) {
                        serving = null;
                    }
                }
            }
        } catch (ClosedChannelException | InterruptedException e) {
            // close(): the container has ended
        } catch (IOException e) {
            Log.warn("the exec socket " + path + " failed (" + e.getMessage() + "); 'minivmm exec' no longer reaches this container");
        }
    }

    private void serveClient(SocketChannel channel) throws InterruptedException {
        String refusal = refusal(channel);
        if (refusal == null) {
            refusal = startSession(channel);
        }
        if (refusal != null) {
            sendError(channel, refusal);
            return;
        }
        String clientProblem = relayFromClient(channel);
        String why;
        synchronized (lock) {
            client = null;
            if (exited) {
                return;
            }
            toClient.removeIf(queued -> queued.channel() == channel);
            why = clientProblem != null ? clientProblem : guestProblem;
        }
        resetGuest(); // the command may still run: a RESET kills it, whatever its client did
        if (why != null) {
            sendError(channel, why);
        }
    }

    /** Why {@code channel} may not have a session, or null. The socket's mode says as much, but only once it is set. */
    private String refusal(SocketChannel channel) {
        UserPrincipal peer;
        try {
            peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException e) {
            return "cannot tell who is connecting: " + e.getMessage();
        }
        if (!peer.equals(owner) && !peer.getName().equals("root")) {
            return "only " + owner.getName() + ", who started the container, or root may run commands in it, not "
                    + peer.getName();
        }
        synchronized (lock) {
            return guestEnded ? GUEST_ENDED : null;
        }
    }

    /** Sends a RESET and waits for its answer; then the guest's frames go to {@code channel}. Null, or why not. */
    private String startSession(SocketChannel channel) throws InterruptedException {
        resetGuest();
        synchronized (lock) {
            long deadline = System.nanoTime() + answerPatience.toNanos();
            for (long left; !inSync && !guestEnded && !closed && (left = deadline - System.nanoTime()) > 0; ) {
                lock.wait(Math.max(1, left / 1_000_000));
            }
            if (!inSync) {
                return guestEnded ? GUEST_ENDED : "the container's exec server did not answer within "
                        + answerPatience.toSeconds() + "s; the container may be overloaded or its init broken: try again later";
            }
            client = channel;
            stdinUnacknowledged = 0;
            stdinAcknowledgedQueued = 0;
            exited = false;
            guestProblem = null;
            return null;
        }
    }

    /** A RESET with a fresh nonce, before anything still queued for the guest; what it sends until the answer is dropped. */
    private void resetGuest() {
        byte[] nonce = new byte[ExecProtocol.NONCE_BYTES];
        random.nextBytes(nonce);
        for (int i = 0; i < nonce.length; i++) {
            if (nonce[i] == (byte) Type.RESET_DONE.code) {
                nonce[i] = 0; // see Decoder.hunt
            }
        }
        synchronized (lock) {
            session++;
            inSync = false;
            outputUnacknowledged = 0;
            fromGuest.hunt(nonce);
            toGuest.clear();
            queuedBytes = 0;
            queue(ExecProtocol.encode(Type.RESET, nonce, 0, nonce.length));
        }
    }

    /** With the lock. */
    private void queue(byte[] frame) {
        toGuest.add(frame);
        queuedBytes += frame.length;
        lock.notifyAll();
    }

    /**
     * Queues a frame of the session of {@code channel} for the guest, waiting while the queue is full; false if
     * the session has ended meanwhile.
     */
    private boolean sendToGuest(byte[] frame, SocketChannel channel) throws InterruptedException {
        synchronized (lock) {
            while (queuedBytes >= QUEUE_LIMIT && client == channel && !closed) {
                lock.wait();
            }
            if (client != channel || closed) {
                return false;
            }
            queue(frame);
            return true;
        }
    }

    /** The guest's queue's own thread: the only one that may wait on a console the guest does not read. */
    private void writeToGuest() {
        try {
            for (;;) {
                byte[] frame;
                Console target;
                synchronized (lock) {
                    while (toGuest.isEmpty()) {
                        lock.wait();
                    }
                    frame = toGuest.poll();
                    queuedBytes -= frame.length;
                    lock.notifyAll();
                    target = console;
                }
                target.send(frame);
            }
        } catch (InterruptedException e) {
            // close(): the container has ended
        }
    }

    /**
     * The clients' queue's own thread: the only one that may wait on a client that does not read. What it writes
     * is credited if its session is still the guest's: an acknowledgement of stdin leaves room in the client's
     * window as it goes (the client may answer it at once), and output is acknowledged to the guest once written.
     */
    private void writeToClients() {
        try {
            for (;;) {
                ToClient next;
                synchronized (lock) {
                    while (toClient.isEmpty()) {
                        lock.wait();
                    }
                    next = toClient.poll();
                    if (next.session() == session && next.frame().type() == Type.STDIN_ACK) {
                        stdinUnacknowledged -= next.frame().acknowledged();
                        stdinAcknowledgedQueued -= next.frame().acknowledged();
                    }
                }
                sendWhole(next.channel(), next.frame().encode());
                Type type = next.frame().type();
                synchronized (lock) {
                    if (next.session() == session && (type == Type.STDOUT || type == Type.STDERR)) {
                        outputUnacknowledged -= next.frame().payload().length;
                        queue(ExecProtocol.acknowledgement(Type.OUTPUT_ACK, next.frame().payload().length));
                    }
                }
                if (type == Type.EXIT) {
                    shutInput(next.channel()); // the session is over: its thread stops reading the client
                }
            }
        } catch (InterruptedException e) {
            // close(): the container has ended
        }
    }

    /**
     * Passes the client's frames to the guest until the client's connection ends: the client left, or the
     * session is over and its end was shut, after the command's EXIT or the ERROR's cause. Returns what the client
     * did wrong, if anything.
     */
    private String relayFromClient(SocketChannel channel) throws InterruptedException {
        ExecProtocol.Decoder fromClient = new ExecProtocol.Decoder(ExecProtocol.CLIENT_TO_GUEST);
        ByteBuffer buffer = ByteBuffer.allocate(ExecProtocol.HEADER_BYTES + ExecProtocol.MAX_PAYLOAD);
        boolean requested = false;
        boolean stdinEnded = false;
        boolean forwarding = true;
        try {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                for (Frame frame; forwarding && (frame = fromClient.take(buffer)) != null; ) {
                    String problem = requested ? problemInSession(frame, stdinEnded)
                            : frame.type() == Type.REQUEST ? null : "a " + frame.type() + " frame before the REQUEST";
                    if (problem != null) {
                        return "minivmm's exec socket got " + problem + ": the session is ended";
                    }
                    requested = true;
                    stdinEnded |= frame.type() == Type.STDIN_END;
                    // Once the guest's side has ended the session, what the client still sends goes nowhere, but
                    // the connection stays until its end is shut: the EXIT may not be written yet.
                    forwarding = sendToGuest(frame.encode(), channel);
                }
                buffer.clear(); // all taken, or not forwarded any more
            }
        } catch (ExecProtocol.ProtocolException e) {
            return "minivmm's exec socket got " + e.getMessage() + ": the session is ended";
        } catch (IOException e) {
            // The connection ended: the client went away, or the session is over and it was shut here.
        }
        return null;
    }

    private String problemInSession(Frame frame, boolean stdinEnded) {
        switch (frame.type()) {
            case REQUEST:
                return "a second REQUEST";
            case STDIN:
                if (stdinEnded) {
                    return "STDIN after STDIN_END";
                }
                synchronized (lock) {
                    if (stdinUnacknowledged + frame.payload().length > ExecProtocol.STDIN_WINDOW) {
                        return "more stdin than the window of " + ExecProtocol.STDIN_WINDOW + " unacknowledged bytes";
                    }
                    stdinUnacknowledged += frame.payload().length;
                }
                return null;
            default:
                return null;
        }
    }

    /** On the console's thread: the guest's frames, each checked against the protocol and queued for the client. */
    private void takeFromGuest(ByteBuffer bytes) {
        synchronized (lock) {
            while (bytes.hasRemaining()) {
                try {
                    Frame frame = fromGuest.take(bytes);
                    if (frame != null) {
                        route(frame);
                    }
                } catch (ExecProtocol.ProtocolException e) {
                    guestBroke("sent " + e.getMessage());
                }
            }
        }
    }

    /** With the lock: what a frame from the guest means. */
    private void route(Frame frame) {
        if (frame.type() == Type.RESET_DONE) {
            if (inSync) {
                guestBroke("sent a RESET_DONE that no RESET asked for");
            } else {
                inSync = true;
                lock.notifyAll();
            }
            return;
        }
        if (client == null) {
            return; // the session is over: what comes until the next RESET's answer goes nowhere
        }
        switch (frame.type()) {
            case STDOUT, STDERR -> {
                if (outputUnacknowledged + frame.payload().length > ExecProtocol.OUTPUT_WINDOW) {
                    guestBroke("sent more output than the window of " + ExecProtocol.OUTPUT_WINDOW + " unacknowledged bytes");
                    return;
                }
                outputUnacknowledged += frame.payload().length;
            }
            case STDIN_ACK -> {
                long acknowledged = frame.acknowledged();
                long waiting = stdinUnacknowledged - stdinAcknowledgedQueued;
                if (acknowledged == 0 || acknowledged > waiting) {
                    guestBroke("acknowledged " + acknowledged + " bytes of stdin when " + waiting + " were waiting");
                    return;
                }
                stdinAcknowledgedQueued += acknowledged;
            }
            default -> { } // EXIT
        }
        toClient.add(new ToClient(session, client, frame));
        if (frame.type() == Type.EXIT) {
            exited = true;
            client = null;
        }
        lock.notifyAll();
    }

    /** With the lock: the guest's frames cannot be trusted until it answers a RESET; the session, if any, ends. */
    private void guestBroke(String problem) {
        fromGuest.drop();
        inSync = false;
        detachClient("the container's exec server " + problem + "; the session is ended");
    }

    /** With the lock: the session's client gets no more of the guest's frames, and its thread is told why. */
    private void detachClient(String why) {
        if (client != null) {
            guestProblem = why;
            shutInput(client);
            client = null;
            lock.notifyAll();
        }
    }

    private void sendError(SocketChannel channel, String message) {
        sendWhole(channel, ExecProtocol.error(message));
    }

    /** Writes a frame to a client; one that has gone away is not written to, and its session's thread sees it gone. */
    private void sendWhole(SocketChannel channel, byte[] frame) {
        synchronized (clientWrites) {
            ExecProtocol.writeWhole(channel, frame);
        }
    }

    /** Wakes the session's thread, blocked reading the client, with an end of input. */
    private static void shutInput(SocketChannel channel) {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            // Already closed: its thread has seen the end.
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing on the way out: nothing left to do about it.
            }
        }
    }
}
