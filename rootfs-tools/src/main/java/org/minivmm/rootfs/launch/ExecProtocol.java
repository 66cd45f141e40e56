package org.minivmm.rootfs.launch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The frames in which minivmm and the guest init's exec server run a command in a running container, over the
 * exec console ({@link LaunchConfig#execDevice()}); the init's {@code exec_protocol.h} says what each means.
 * A frame is a type byte, a little-endian u32 length, and that many bytes. minivmm's exec socket carries the
 * same frames between minivmm and its client, plus {@link Type#ERROR}, which only minivmm sends.
 */
public final class ExecProtocol {
    public static final int HEADER_BYTES = 5;
    public static final int MAX_PAYLOAD = 64 * 1024;
    /** At most this much stdin may be sent and not yet acknowledged by {@link Type#STDIN_ACK}. */
    public static final int STDIN_WINDOW = 64 * 1024;
    /** At most this much STDOUT and STDERR may be sent and not yet acknowledged by {@link Type#OUTPUT_ACK}. */
    public static final int OUTPUT_WINDOW = 64 * 1024;
    public static final int NONCE_BYTES = 8;

    public enum Type {
        RESET(1, NONCE_BYTES, NONCE_BYTES),
        REQUEST(2, 1, MAX_PAYLOAD),
        STDIN(3, 1, STDIN_WINDOW),
        STDIN_END(4, 0, 0),
        SIGNAL(5, 1, 1),
        OUTPUT_ACK(6, 4, 4),
        RESET_DONE(0x81, NONCE_BYTES, NONCE_BYTES),
        STDOUT(0x82, 1, MAX_PAYLOAD),
        STDERR(0x83, 1, MAX_PAYLOAD),
        STDIN_ACK(0x84, 4, 4),
        EXIT(0x85, 1, 1),
        /** From minivmm to its client only: why the session cannot go on, one line of UTF-8. */
        ERROR(0xC0, 1, MAX_PAYLOAD);

        public final int code;
        final int minLength;
        final int maxLength;

        Type(int code, int minLength, int maxLength) {
            this.code = code;
            this.minLength = minLength;
            this.maxLength = maxLength;
        }
    }

    /** What a client of minivmm's exec socket sends: RESET and OUTPUT_ACK are minivmm's own. */
    public static final Set<Type> CLIENT_TO_GUEST = Set.of(Type.REQUEST, Type.STDIN, Type.STDIN_END, Type.SIGNAL);
    /** What the guest's exec server sends. */
    public static final Set<Type> GUEST_TO_HOST = Set.of(Type.RESET_DONE, Type.STDOUT, Type.STDERR, Type.STDIN_ACK, Type.EXIT);
    /** What a client of minivmm's exec socket receives. */
    public static final Set<Type> TO_CLIENT = Set.of(Type.STDOUT, Type.STDERR, Type.STDIN_ACK, Type.EXIT, Type.ERROR);

    /** A frame that breaks the protocol; the message says how. */
    public static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    public record Frame(Type type, byte[] payload) {
        /** The payload of a STDIN_ACK or OUTPUT_ACK. */
        public long acknowledged() {
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
        }

        /** The payload of an EXIT. */
        public int status() {
            return payload[0] & 0xFF;
        }

        /** The frame as it goes on the wire. */
        public byte[] encode() {
            return ExecProtocol.encode(type, payload, 0, payload.length);
        }
    }

    private ExecProtocol() {
    }

    public static byte[] encode(Type type, byte[] payload, int offset, int length) {
        return ByteBuffer.allocate(HEADER_BYTES + length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) type.code).putInt(length).put(payload, offset, length).array();
    }

    /**
     * A REQUEST for {@code command}: each argument and a NUL.
     *
     * @throws IllegalArgumentException if there is no command, it starts with an empty word, an argument holds a
     *     NUL, or it all exceeds {@link #MAX_PAYLOAD} bytes
     */
    public static byte[] request(List<String> command) {
        if (command.isEmpty() || command.get(0).isEmpty()) {
            throw new IllegalArgumentException("the command to run must start with a program name");
        }
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        for (String argument : command) {
            if (argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the argument \"" + argument.replace('\0', '?')
                        + "\" holds a NUL character, which no program can be given");
            }
            payload.writeBytes(argument.getBytes(StandardCharsets.UTF_8));
            payload.write(0);
        }
        if (payload.size() > MAX_PAYLOAD) {
            throw new IllegalArgumentException("the command's arguments take " + payload.size()
                    + " bytes; at most " + MAX_PAYLOAD + " can be sent");
        }
        return encode(Type.REQUEST, payload.toByteArray(), 0, payload.size());
    }

    /** A STDIN_ACK or OUTPUT_ACK of {@code count} bytes. */
    public static byte[] acknowledgement(Type type, int count) {
        return encode(type, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(count).array(), 0, 4);
    }

    /** Writes a whole frame; false if the channel failed, which is the peer gone. */
    public static boolean writeWhole(WritableByteChannel channel, byte[] frame) {
        try {
            ByteBuffer bytes = ByteBuffer.wrap(frame);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static byte[] signal(int number) {
        return encode(Type.SIGNAL, new byte[] {(byte) number}, 0, 1);
    }

    public static byte[] error(String message) {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        return encode(Type.ERROR, text, 0, Math.min(text.length, MAX_PAYLOAD));
    }

    /**
     * Splits a byte stream into frames of the types it accepts, checking each header before a byte of its
     * payload is kept. After a {@link ProtocolException} the stream has lost its framing: the decoder then
     * drops everything until it is told what to {@link #hunt} for.
     */
    public static final class Decoder {
        private final Set<Type> accepted;
        private final ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private Type type;
        private byte[] payload;
        private int filled;
        private boolean dropping;
        private byte[] huntedFor;
        private int matched;

        public Decoder(Set<Type> accepted) {
            this.accepted = accepted;
        }

        /**
         * Takes bytes from {@code in} until a frame is complete and returns it, or returns null once {@code in}
         * is empty.
         *
         * @throws ProtocolException for a header of a type not accepted or a length its type does not allow
         */
        public Frame take(ByteBuffer in) throws ProtocolException {
            while (dropping && in.hasRemaining()) {
                if (huntedFor == null) {
                    in.position(in.limit());
                } else if (hunt(in.get())) {
                    dropping = false;
                    return new Frame(Type.RESET_DONE, Arrays.copyOfRange(huntedFor, HEADER_BYTES, huntedFor.length));
                }
            }
            while (type == null && in.hasRemaining()) {
                header.put(in.get());
                if (!header.hasRemaining()) {
                    startPayload();
                }
            }
            if (type == null) {
                return null;
            }
            int count = Math.min(in.remaining(), payload.length - filled);
            in.get(payload, filled, count);
            filled += count;
            if (filled < payload.length) {
                return null;
            }
            Frame frame = new Frame(type, payload);
            type = null;
            return frame;
        }

        /**
         * Drops everything up to the frame {@code RESET_DONE nonce}, which {@link #take} then returns: the end of
         * whatever came before the RESET that asked for it. The nonce holds no byte 0x81, RESET_DONE's type, so
         * the frame's first byte occurs in it only first and a match that breaks off can start again at once.
         */
        public void hunt(byte[] nonce) {
            boolean fits = nonce.length == NONCE_BYTES;
            for (byte b : nonce) {
                fits &= b != (byte) Type.RESET_DONE.code;
            }
            if (!fits) {
                throw new IllegalArgumentException("a nonce is " + NONCE_BYTES + " bytes without 0x81");
            }
            huntedFor = encode(Type.RESET_DONE, nonce, 0, NONCE_BYTES);
            matched = 0;
            dropping = true;
            header.clear();
            type = null;
        }

        private void startPayload() throws ProtocolException {
            int code = header.get(0) & 0xFF;
            long length = header.getInt(1) & 0xFFFF_FFFFL;
            header.clear();
            Type found = Arrays.stream(Type.values()).filter(t -> t.code == code).findFirst().orElse(null);
            if (found == null || !accepted.contains(found)) {
                drop();
                throw new ProtocolException(found == null ? String.format("a frame of unknown type 0x%02x", code)
                        : "a " + found + " frame, which does not come this way");
            }
            if (length < found.minLength || length > found.maxLength) {
                drop();
                throw new ProtocolException("a " + found + " frame of " + length + " bytes (it takes "
                        + (found.minLength == found.maxLength ? found.minLength : found.minLength + " to " + found.maxLength)
                        + ")");
            }
            type = found;
            payload = new byte[(int) length];
            filled = 0;
        }

        /** Drops everything until told what to {@link #hunt} for: the stream cannot be trusted any more. */
        public void drop() {
            dropping = true;
            huntedFor = null;
        }

        /** One more byte towards the hunted frame: true once it is complete. */
        private boolean hunt(byte next) {
            if (next != huntedFor[matched]) {
                matched = 0;
            }
            if (next == huntedFor[matched]) {
                matched++;
            }
            return matched == huntedFor.length;
        }
    }
}
