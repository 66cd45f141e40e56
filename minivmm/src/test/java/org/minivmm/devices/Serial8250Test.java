package org.minivmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** Drives the UART the way Linux's 8250 driver does, through its registers only. */
class Serial8250Test {
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private boolean interrupt;
    private final Serial8250 uart = new Serial8250(output, high -> interrupt = high);

    private int in(int register) {
        byte[] data = new byte[1];
        uart.read(register, data);
        return data[0] & 0xff;
    }

    private void out(int register, int value) {
        uart.write(register, new byte[] {(byte) value});
    }

    @Test
    void transmittedBytesReachTheOutputAndTheTransmitterIsAlwaysReady() {
        assertEquals(0x60, in(5) & 0x60, "LSR: THR empty and transmitter empty");
        for (char c : "hi\n".toCharArray()) {
            out(0, c);
        }
        assertEquals("hi\n", output.toString());
        assertFalse(interrupt, "no interrupt while IER is 0");
    }

    @Test
    void receivedBytesRaiseTheDataInterruptUntilRead() throws InterruptedException {
        out(1, 0x01); // IER: received data available
        assertFalse(interrupt);
        uart.receive((byte) 'x');
        assertTrue(interrupt);
        assertEquals(0x04, in(2) & 0x0f, "IIR says received data");
        assertEquals(0x01, in(5) & 0x01, "LSR data ready");
        assertEquals('x', in(0));
        assertFalse(interrupt, "the line drops once the FIFO is empty");
        assertEquals(0, in(5) & 0x01);
        assertEquals(0x01, in(2) & 0x0f, "IIR: nothing pending");
    }

    @Test
    void transmitterEmptyInterruptFollowsIer() {
        out(1, 0x02); // IER: THR empty
        assertTrue(interrupt);
        assertEquals(0x02, in(2) & 0x0f);
        out(1, 0x00);
        assertFalse(interrupt);
    }

    @Test
    void divisorLatchAndScratchKeepTheirValues() {
        out(3, 0x80); // DLAB on
        out(0, 0x01);
        out(1, 0x00);
        assertEquals(0x01, in(0));
        out(3, 0x03); // 8N1, DLAB off
        assertEquals(0x03, in(3));
        out(7, 0x5a);
        assertEquals(0x5a, in(7));
        assertEquals("", output.toString(), "divisor writes are not output");
    }

    @Test
    void fifoEnableShowsInIirAsLinuxExpectsOfA16550A() {
        out(2, 0x01);
        assertEquals(0xc0, in(2) & 0xc0);
    }

    @Test
    void loopbackReturnsWritesAndModemLines() {
        out(4, 0x10 | 0x0a); // loopback with RTS and OUT2: Linux's probe expects CTS and DCD back
        assertEquals(0x90, in(6) & 0xf0);
        out(0, 'z');
        assertEquals("", output.toString(), "loopback output stays inside the UART");
        assertEquals('z', in(0));
    }

    @Test
    void aBrokenOutputDropsBytesButKeepsTheGuestRunning() {
        Serial8250 broken = new Serial8250(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        }, high -> { });
        broken.write(0, new byte[] {'a'});
        broken.write(0, new byte[] {'b'});
        byte[] lsr = new byte[1];
        broken.read(5, lsr);
        assertEquals(0x60, lsr[0] & 0x60);
    }

    @Test
    void inputWaitsWhileTheGuestHasNotDrainedTheFifo() throws Exception {
        for (int i = 0; i < 64; i++) {
            uart.receive((byte) i);
        }
        Thread sender = new Thread(() -> {
            try {
                uart.receive((byte) 99);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        sender.start();
        sender.join(200);
        assertTrue(sender.isAlive(), "the 65th byte waits: nothing is lost, nothing overwritten");
        assertEquals(0, in(0));
        sender.join(5000);
        assertFalse(sender.isAlive());
        for (int i = 1; i < 64; i++) {
            assertEquals(i, in(0));
        }
        assertEquals(99, in(0));
    }
}
