package org.minivmm.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Reads guest structures back the way the guest CPU does: little-endian, at absolute offsets. */
final class TestBytes {
    private TestBytes() {
    }

    static ByteBuffer littleEndian(GuestBlob blob) {
        return ByteBuffer.wrap(blob.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int u8(GuestBlob blob, int offset) {
        return Byte.toUnsignedInt(blob.bytes()[offset]);
    }

    static int u16(GuestBlob blob, int offset) {
        return Short.toUnsignedInt(littleEndian(blob).getShort(offset));
    }

    static long u32(GuestBlob blob, int offset) {
        return Integer.toUnsignedLong(littleEndian(blob).getInt(offset));
    }

    static long u64(GuestBlob blob, int offset) {
        return littleEndian(blob).getLong(offset);
    }

    static String ascii(GuestBlob blob, int offset, int length) {
        return new String(blob.bytes(), offset, length, StandardCharsets.US_ASCII);
    }

    /** Sum of bytes [from, to) modulo 256, the MP specification's checksum rule. */
    static int byteSum(GuestBlob blob, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) {
            sum += Byte.toUnsignedInt(blob.bytes()[i]);
        }
        return sum % 256;
    }
}
