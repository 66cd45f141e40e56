package org.minivmm.rootfs.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class StdinFramingTest {
    @Test
    void plainBytesPassUnchanged() {
        byte[] data = {'h', 'i', '\n', 0, 4, (byte) 0xFE};
        assertArrayEquals(data, StdinFraming.encode(data, data.length));
    }

    @Test
    void theEscapeByteIsDoubled() {
        byte[] data = {1, (byte) 0xFF, 2, (byte) 0xFF, (byte) 0xFF};
        assertArrayEquals(new byte[] {1, (byte) 0xFF, (byte) 0xFF, 2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                StdinFraming.encode(data, data.length));
    }

    @Test
    void onlyTheGivenLengthIsFramed() {
        byte[] buffer = {'a', 'b', (byte) 0xFF, (byte) 0xFF};
        assertArrayEquals(new byte[] {'a', 'b'}, StdinFraming.encode(buffer, 2));
    }

    @Test
    void theEndIsAnEscapedZero() {
        assertArrayEquals(new byte[] {(byte) 0xFF, 0}, StdinFraming.end());
    }
}
