package org.minivmm.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LittleEndianBytesTest {
    @Test
    void writesLeastSignificantByteFirst() {
        byte[] bytes = new LittleEndianBytes(15)
                .u8(0, 0xab)
                .u16(1, 0x1234)
                .u32(3, 0xdeadbeefL)
                .u64(7, 0x0102030405060708L)
                .toByteArray();

        assertArrayEquals(new byte[] {(byte) 0xab, 0x34, 0x12, (byte) 0xef, (byte) 0xbe, (byte) 0xad, (byte) 0xde,
                8, 7, 6, 5, 4, 3, 2, 1}, bytes);
    }

    @Test
    void refusesValuesWiderThanTheirField() {
        LittleEndianBytes bytes = new LittleEndianBytes(8);

        assertThrows(IllegalArgumentException.class, () -> bytes.u8(0, 0x100));
        assertThrows(IllegalArgumentException.class, () -> bytes.u16(0, -1));
        assertThrows(IllegalArgumentException.class, () -> bytes.u32(0, 1L << 32));
    }

    @Test
    void sumsBytesModulo256() {
        LittleEndianBytes bytes = new LittleEndianBytes(4).u8(0, 0xff).u8(1, 0x02).u8(3, 0x10);

        assertEquals(0x11, bytes.byteSum(0, 4));
        assertEquals(0x01, bytes.byteSum(0, 2));
    }
}
