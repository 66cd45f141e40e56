package org.minivmm.boot;

import java.nio.charset.StandardCharsets;

/**
 * A fixed-size byte array filled field by field at absolute offsets, little-endian as x86 reads
 * it. Every boot structure here is built with this one writer.
 */
final class LittleEndianBytes {
    private final byte[] bytes;

    LittleEndianBytes(int size) {
        this.bytes = new byte[size];
    }

    LittleEndianBytes u8(int offset, int value) {
        return unsigned(offset, value, 1);
    }

    LittleEndianBytes u16(int offset, int value) {
        return unsigned(offset, value, 2);
    }

    LittleEndianBytes u32(int offset, long value) {
        return unsigned(offset, value, 4);
    }

    LittleEndianBytes u64(int offset, long value) {
        for (int i = 0; i < Long.BYTES; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    /** Writes the characters of {@code text} as single ASCII bytes, with no terminator. */
    LittleEndianBytes ascii(int offset, String text) {
        byte[] encoded = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(encoded, 0, bytes, offset, encoded.length);
        return this;
    }

    /** Sum of the bytes in [from, to) modulo 256, as the MP specification's checksums use. */
    int byteSum(int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += bytes[i];
        }
        return sum & 0xff;
    }

    /** The array itself, not a copy: the builder is discarded once the structure is done. */
    byte[] toByteArray() {
        return bytes;
    }

    // A value that does not fit its field means a bug in the caller, never bad user input.
    private LittleEndianBytes unsigned(int offset, long value, int width) {
        if (value < 0 || value >>> (8 * width) != 0) {
            throw new IllegalArgumentException(
                    "value 0x" + Long.toHexString(value) + " does not fit in " + width + " byte(s)");
        }
        for (int i = 0; i < width; i++) {
            bytes[offset + i] = (byte) (value >>> (8 * i));
        }
        return this;
    }
}
