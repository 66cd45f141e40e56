package org.minivmm.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.minivmm.rootfs.launch.ExecProtocol;
import org.minivmm.rootfs.launch.ExecProtocol.Frame;
import org.minivmm.rootfs.launch.ExecProtocol.Type;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code minivmm exec}: runs a command in a running container through its exec socket
 * ({@link ContainerOptions#execSocket()}), with the app's identity, directory and environment. This process's
 * stdin goes to the command (with a real end), the command's stdout and stderr come back apart, SIGINT and
 * SIGTERM are passed on to it, and its exit status is returned.
 */
public final class ExecClient {
    /** The client's own failures: no socket, not minivmm's, the container gone. */
    public static final int FAILURE = 125;
    /** The command's output could not be written: as for a process killed by SIGPIPE. */
    static final int OUTPUT_CLOSED = 128 + 13;
    private static final String[] FORWARDED = {"INT", "TERM"};
    private static final int STDIN_PIECE = 16 * 1024;

    /** Passes signals on while a session runs. */
    interface SignalForwarding {
        Installed install(IntConsumer forward);
    }

    /** Signal forwarding in place; closing it puts back what was there. */
    interface Installed extends AutoCloseable {
        @Override
        void close();
    }

    /** A failure of the client's own, with the line that says it. */
    private static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private final SocketChannel channel;
    private final OutputStream out;
    private final OutputStream err;
    /** Frames to minivmm go whole, from the stdin thread and from signal handlers. */
    private final Object writes = new Object();
    private final Object window = new Object();
    private long unacknowledged;
    private boolean over;

    private ExecClient(SocketChannel channel, OutputStream out, OutputStream err) {
        this.channel = channel;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs {@code command} in the container of {@code socket} with this process's standard streams and returns
     * its exit status: its own, 128+N for signal N, 127 not found, 126 cannot execute; 125 if the client failed
     * (the message is on stderr).
     */
    public static int run(Path socket, List<String> command) {
        return run(socket, command, System.in, System.out, System.err, ExecClient::handleSignals);
    }

    static int run(Path socket, List<String> command, InputStream in, OutputStream out, PrintStream err,
            SignalForwarding signals) {
        SocketChannel channel = null;
        try {
            byte[] request = request(command);
            channel = connect(socket);
            ExecClient client = new ExecClient(channel, out, err);
            client.send(request);
            Thread stdin = new Thread(() -> client.pumpStdin(in), "exec-stdin");
            stdin.setDaemon(true); // a read of stdin cannot be interrupted; it ends with the process
            stdin.start();
            try (Installed forwarding = signals.install(client::signal)) {
                return client.relayOutput(socket, command.get(0));
            }
        } catch (Failure e) {
            err.println("minivmm exec: " + e.getMessage());
            return FAILURE;
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // The session is over either way.
            }
        }
    }

    private static byte[] request(List<String> command) throws Failure {
        try {
            return ExecProtocol.request(command);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage());
        }
    }

    private static SocketChannel connect(Path socket) throws Failure {
        if (!Files.exists(socket)) {
            throw new Failure("no exec socket at " + socket + ": is a container running with --exec-socket " + socket + "?");
        }
        if (!isSocket(socket)) {
            throw new Failure(socket + " is not a socket: give the --exec-socket path of a running container");
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (ConnectException e) {
            throw new Failure("nothing listens on " + socket + ": its container has ended (then remove the file)");
        } catch (IOException e) {
            throw new Failure("cannot connect to " + socket + ": " + e.getMessage());
        }
    }

    private static boolean isSocket(Path path) throws Failure {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode") & 0170000) == 0140000;
        } catch (IOException e) {
            throw new Failure("cannot look at " + path + ": " + e.getMessage());
        }
    }

    /** Frames from minivmm until the command's EXIT. */
    private int relayOutput(Path socket, String program) throws Failure {
        ExecProtocol.Decoder decoder = new ExecProtocol.Decoder(ExecProtocol.TO_CLIENT);
        ByteBuffer buffer = ByteBuffer.allocate(ExecProtocol.HEADER_BYTES + ExecProtocol.MAX_PAYLOAD);
        try {
            for (;;) {
                if (channel.read(buffer) < 0) {
                    throw containerEnded(program);
                }
                buffer.flip();
                for (Frame frame; (frame = decoder.take(buffer)) != null; ) {
                    switch (frame.type()) {
                        case STDOUT -> write(out, frame.payload());
                        case STDERR -> write(err, frame.payload());
                        case STDIN_ACK -> acknowledge(frame.acknowledged());
                        case EXIT -> {
                            return frame.status();
                        }
                        case ERROR -> throw new Failure(new String(frame.payload(), StandardCharsets.UTF_8));
                        default -> throw new IllegalStateException("the decoder passed a " + frame.type());
                    }
                }
                buffer.compact();
            }
        } catch (ExecProtocol.ProtocolException e) {
            throw new Failure(socket + " does not answer as a minivmm exec socket (it sent " + e.getMessage() + ")");
        } catch (OutputClosed e) {
            return OUTPUT_CLOSED;
        } catch (IOException e) {
            throw containerEnded(program); // a reset connection: minivmm closed it with our input unread
        } finally {
            synchronized (window) {
                over = true;
                window.notifyAll();
            }
        }
    }

    private static Failure containerEnded(String program) {
        return new Failure("the container ended before " + program + " finished (no exit status came back)");
    }

    /** Our stdout or stderr is gone (a closed pipe): the session ends, as the command's output has nowhere to go. */
    private static final class OutputClosed extends Exception {
    }

    private static void write(OutputStream stream, byte[] bytes) throws OutputClosed {
        try {
            stream.write(bytes);
            stream.flush();
        } catch (IOException e) {
            throw new OutputClosed();
        }
    }

    private void acknowledge(long count) {
        synchronized (window) {
            unacknowledged -= count;
            window.notifyAll();
        }
    }

    /** Stdin to the command, as much at a time as the window allows, then its end. */
    private void pumpStdin(InputStream in) {
        byte[] buffer = new byte[STDIN_PIECE];
        try {
            for (;;) {
                int room;
                synchronized (window) {
                    while (unacknowledged >= ExecProtocol.STDIN_WINDOW && !over) {
                        window.wait();
                    }
                    if (over) {
                        return;
                    }
                    room = (int) Math.min(buffer.length, ExecProtocol.STDIN_WINDOW - unacknowledged);
                }
                int count = in.read(buffer, 0, room);
                if (count < 0) {
                    break;
                }
                if (count > 0) {
                    synchronized (window) {
                        unacknowledged += count;
                    }
                    send(ExecProtocol.encode(Type.STDIN, buffer, 0, count));
                }
            }
        } catch (IOException e) {
            // stdin failed: as for its end
        } catch (InterruptedException e) {
            return;
        }
        send(ExecProtocol.encode(Type.STDIN_END, new byte[0], 0, 0));
    }

    private void signal(int number) {
        send(ExecProtocol.signal(number));
    }

    /** One whole frame; if the connection is gone, relayOutput reports how the session ended. */
    private void send(byte[] frame) {
        synchronized (writes) {
            ExecProtocol.writeWhole(channel, frame);
        }
    }

    private static Installed handleSignals(IntConsumer forward) {
        List<Signal> signals = new ArrayList<>();
        List<SignalHandler> previous = new ArrayList<>();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            previous.add(Signal.handle(signal, caught -> forward.accept(caught.getNumber())));
            signals.add(signal);
        }
        return () -> {
            for (int i = 0; i < signals.size(); i++) {
                Signal.handle(signals.get(i), previous.get(i));
            }
        };
    }
}
