package org.minivmm.rootfs.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.minivmm.rootfs.launch.ExecProtocol.Decoder;
import org.minivmm.rootfs.launch.ExecProtocol.Frame;
import org.minivmm.rootfs.launch.ExecProtocol.ProtocolException;
import org.minivmm.rootfs.launch.ExecProtocol.Type;

class ExecProtocolTest {
    private static final byte[] NONCE = "nonce-12".getBytes(StandardCharsets.US_ASCII);

    /** Feeds {@code stream} in pieces of {@code piece} bytes and collects the frames. */
    private static List<Frame> decode(Decoder decoder, byte[] stream, int piece) throws ProtocolException {
        List<Frame> frames = new ArrayList<>();
        for (int start = 0; start < stream.length; start += piece) {
            ByteBuffer bytes = ByteBuffer.wrap(stream, start, Math.min(piece, stream.length - start));
            for (Frame frame; (frame = decoder.take(bytes)) != null; ) {
                frames.add(frame);
            }
            assertEquals(0, bytes.remaining(), "take returns null only once every byte is taken");
        }
        return frames;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    private static byte[] header(int type, long length) {
        return ByteBuffer.allocate(ExecProtocol.HEADER_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put((byte) type).putInt((int) length).array();
    }

    @Test
    void framesAreATypeALittleEndianLengthAndThePayload() {
        assertArrayEquals(new byte[] {(byte) 0x82, 3, 0, 0, 0, 'a', 'b', 'c'},
                ExecProtocol.encode(Type.STDOUT, "xabcx".getBytes(StandardCharsets.US_ASCII), 1, 3));
        assertArrayEquals(new byte[] {5, 1, 0, 0, 0, 15}, ExecProtocol.signal(15));
        assertArrayEquals(new byte[] {6, 4, 0, 0, 0, 0, 0, 1, 0}, ExecProtocol.acknowledgement(Type.OUTPUT_ACK, 65536));
        assertArrayEquals(concat(header(2, 9), "sh\0-c\0\u00e9\0".getBytes(StandardCharsets.UTF_8)),
                ExecProtocol.request(List.of("sh", "-c", "\u00e9")));
    }

    @Test
    void theTypeCodesAreTheInitsOnes() {
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 0x81, 0x82, 0x83, 0x84, 0x85, 0xC0),
                List.of(Type.values()).stream().map(type -> type.code).toList());
    }

    @Test
    void aRequestNeedsAProgramAndNoNulAndMustFit() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExecProtocol.request(List.of()))
                .getMessage().contains("must start with a program name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExecProtocol.request(List.of("", "x")))
                .getMessage().contains("must start with a program name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ExecProtocol.request(List.of("echo", "a\0b")))
                .getMessage().contains("\"a?b\" holds a NUL"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ExecProtocol.request(List.of("echo", "x".repeat(ExecProtocol.MAX_PAYLOAD))))
                .getMessage().contains("at most 65536 can be sent"));
    }

    @Test
    void framesSplitAtEverySizeComeOutWhole() throws ProtocolException {
        byte[] stream = concat(ExecProtocol.encode(Type.STDOUT, "out".getBytes(StandardCharsets.US_ASCII), 0, 3),
                ExecProtocol.encode(Type.STDIN_ACK, new byte[] {0, 0, 1, 0}, 0, 4),
                ExecProtocol.encode(Type.EXIT, new byte[] {(byte) 200}, 0, 1));
        for (int piece = 1; piece <= stream.length; piece++) {
            List<Frame> frames = decode(new Decoder(ExecProtocol.GUEST_TO_HOST), stream, piece);
            assertEquals(List.of(Type.STDOUT, Type.STDIN_ACK, Type.EXIT), frames.stream().map(Frame::type).toList());
            assertArrayEquals("out".getBytes(StandardCharsets.US_ASCII), frames.get(0).payload());
            assertEquals(65536, frames.get(1).acknowledged());
            assertEquals(200, frames.get(2).status());
        }
    }

    @Test
    void anEmptyFrameNeedsNoPayload() throws ProtocolException {
        Decoder decoder = new Decoder(ExecProtocol.CLIENT_TO_GUEST);
        Frame end = decoder.take(ByteBuffer.wrap(header(4, 0)));
        assertEquals(Type.STDIN_END, end.type());
        assertEquals(0, end.payload().length);
    }

    @Test
    void lengthsATypeDoesNotAllowAreRefusedBeforeAnyPayload() {
        long[][] bad = {{0x82, 0}, {0x82, ExecProtocol.MAX_PAYLOAD + 1L}, {0x82, 0xFFFF_FFFFL}, {0x85, 2}, {0x84, 3},
            {0x81, 9}};
        for (long[] frame : bad) {
            Decoder decoder = new Decoder(ExecProtocol.GUEST_TO_HOST);
            ProtocolException error = assertThrows(ProtocolException.class,
                    () -> decoder.take(ByteBuffer.wrap(header((int) frame[0], frame[1]))));
            assertTrue(error.getMessage().contains("frame of " + frame[1] + " bytes"), error.getMessage());
        }
    }

    @Test
    void unknownTypesAndTypesGoingTheOtherWayAreRefused() {
        ProtocolException unknown = assertThrows(ProtocolException.class,
                () -> new Decoder(ExecProtocol.GUEST_TO_HOST).take(ByteBuffer.wrap(header(0x42, 1))));
        assertEquals("a frame of unknown type 0x42", unknown.getMessage());
        ProtocolException wrongWay = assertThrows(ProtocolException.class,
                () -> new Decoder(ExecProtocol.GUEST_TO_HOST).take(ByteBuffer.wrap(header(3, 1))));
        assertEquals("a STDIN frame, which does not come this way", wrongWay.getMessage());
        assertThrows(ProtocolException.class,
                () -> new Decoder(ExecProtocol.CLIENT_TO_GUEST).take(ByteBuffer.wrap(header(1, 8))), "RESET is minivmm's own");
        assertThrows(ProtocolException.class,
                () -> new Decoder(ExecProtocol.CLIENT_TO_GUEST).take(ByteBuffer.wrap(header(6, 4))), "and OUTPUT_ACK");
    }

    @Test
    void afterABadFrameEverythingIsDroppedUntilTheHuntedAnswer() throws ProtocolException {
        Decoder decoder = new Decoder(ExecProtocol.GUEST_TO_HOST);
        assertThrows(ProtocolException.class, () -> decoder.take(ByteBuffer.wrap(header(0x42, 3))));
        byte[] answer = ExecProtocol.encode(Type.RESET_DONE, NONCE, 0, NONCE.length);
        assertEquals(List.of(), decode(decoder, concat(answer, "garbage".getBytes(StandardCharsets.US_ASCII)), 4),
                "nothing is taken, not even a well-formed frame, before a hunt");

        decoder.hunt(NONCE);
        byte[] otherAnswer = ExecProtocol.encode(Type.RESET_DONE, "nonce-11".getBytes(StandardCharsets.US_ASCII), 0, 8);
        byte[] brokenOff = java.util.Arrays.copyOf(answer, 9);
        byte[] stream = concat(otherAnswer, brokenOff, answer, ExecProtocol.encode(Type.EXIT, new byte[] {7}, 0, 1));
        for (int piece = 1; piece <= stream.length; piece++) {
            Decoder hunting = new Decoder(ExecProtocol.GUEST_TO_HOST);
            hunting.hunt(NONCE);
            List<Frame> frames = decode(hunting, stream, piece);
            assertEquals(List.of(Type.RESET_DONE, Type.EXIT), frames.stream().map(Frame::type).toList(), "pieces of " + piece);
            assertArrayEquals(NONCE, frames.get(0).payload());
        }
    }

    @Test
    void aNonceHoldsNoResetDoneByte() {
        Decoder decoder = new Decoder(ExecProtocol.GUEST_TO_HOST);
        assertThrows(IllegalArgumentException.class, () -> decoder.hunt(new byte[] {1, 2, 3, (byte) 0x81, 5, 6, 7, 8}));
        assertThrows(IllegalArgumentException.class, () -> decoder.hunt(new byte[4]));
    }

    @Test
    void randomBytesNeverGiveAFrameTheProtocolForbids() throws ProtocolException {
        Random random = new Random(42);
        Set<Type> accepted = ExecProtocol.GUEST_TO_HOST;
        for (int round = 0; round < 300; round++) {
            byte[] stream = new byte[random.nextInt(5000)];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(6) + (random.nextBoolean() ? 0x80 : 0));
            }
            Decoder decoder = new Decoder(accepted);
            ByteBuffer bytes = ByteBuffer.wrap(stream);
            while (bytes.hasRemaining()) {
                try {
                    Frame frame = decoder.take(bytes);
                    if (frame != null) {
                        assertTrue(accepted.contains(frame.type()));
                        assertTrue(frame.payload().length <= ExecProtocol.MAX_PAYLOAD);
                    }
                } catch (ProtocolException e) {
                    decoder.hunt(NONCE);
                }
            }
            assertNull(decoder.take(bytes));
        }
    }
}
