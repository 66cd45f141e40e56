package org.minivmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallDevicesTest {
    @Test
    void onlyTheResetCommandOnTheCommandPortResets() {
        List<String> resets = new ArrayList<>();
        I8042 i8042 = new I8042(() -> resets.add("reset"));
        i8042.write(0, new byte[] {(byte) 0xfe}); // data port: not a command
        i8042.write(4, new byte[] {(byte) 0xaa}); // self-test command: ignored
        assertEquals(List.of(), resets);
        i8042.write(4, new byte[] {(byte) 0xfe});
        assertEquals(List.of("reset"), resets);
        byte[] status = {(byte) 0xff};
        i8042.read(4, status);
        assertEquals(0, status[0], "no data waiting, input buffer empty");
    }

    @Test
    void aBytePortPassesEachByteUnsigned() {
        List<Integer> statuses = new ArrayList<>();
        BytePort port = new BytePort(statuses::add);
        port.write(0, new byte[] {7});
        port.write(0, new byte[] {(byte) 200});
        port.write(0, new byte[] {3, 1, 0, 0}); // a 4-byte write: the low byte counts
        assertEquals(List.of(7, 200, 3), statuses);
    }
}
