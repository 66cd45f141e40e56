package org.minivmm.devices;

import java.io.OutputStream;
import java.util.ArrayDeque;
import org.minivmm.bus.BusDevice;
import org.minivmm.bus.HostOutput;
import org.minivmm.bus.InterruptLine;

/**
 * A 16550A UART, the serial console Linux drives with {@code console=ttyS0}: transmit goes straight
 * to {@code output}, receive comes from {@link #receive}, and the interrupt line follows the
 * received-data and transmitter-empty conditions the guest enabled in IER. Enough of the modem
 * registers and loopback mode is modelled for Linux's port auto-detection to see a 16550A.
 */
public final class Serial8250 implements BusDevice {
    public static final int COM1_BASE = 0x3f8;
    public static final int COM1_IRQ = 4;
    public static final int REGISTERS = 8;

    private static final int RX_FIFO_BYTES = 64;

    // Register offsets.
    private static final int DATA = 0;
    private static final int IER = 1;
    private static final int IIR_FCR = 2;
    private static final int LCR = 3;
    private static final int MCR = 4;
    private static final int LSR = 5;
    private static final int MSR = 6;
    private static final int SCRATCH = 7;

    private static final int IER_RX_DATA = 0x01;
    private static final int IER_TX_EMPTY = 0x02;
    private static final int IIR_NONE = 0x01;
    private static final int IIR_TX_EMPTY = 0x02;
    private static final int IIR_RX_DATA = 0x04;
    private static final int IIR_FIFOS_ENABLED = 0xc0;
    private static final int FCR_ENABLE_FIFO = 0x01;
    private static final int LCR_DLAB = 0x80;
    private static final int MCR_LOOPBACK = 0x10;
    private static final int LSR_DATA_READY = 0x01;
    private static final int LSR_TX_EMPTY = 0x20 | 0x40;
    private static final int MSR_DCD_DSR_CTS = 0xb0;

    private final HostOutput output;
    private final byte[] transmitted = new byte[1];
    private final InterruptLine interrupt;
    private final ArrayDeque<Byte> received = new ArrayDeque<>();

    private int ier;
    private int lcr;
    private int mcr;
    private int scratch;
    private int divisorLow = 0x0c; // 9600 baud, what firmware leaves behind
    private int divisorHigh;
    private boolean fifoEnabled;

    public Serial8250(OutputStream output, InterruptLine interrupt) {
        this.output = new HostOutput(output);
        this.interrupt = interrupt;
    }

    @Override
    public void read(long offset, byte[] data) {
        data[0] = (byte) readRegister((int) offset);
    }

    @Override
    public void write(long offset, byte[] data) {
        writeRegister((int) offset, data[0] & 0xff);
    }

    /** Hands one byte of input to the guest, waiting while the guest has not drained the FIFO. */
    public synchronized void receive(byte value) throws InterruptedException {
        while (received.size() >= RX_FIFO_BYTES) {
            wait();
        }
        received.add(value);
        updateInterrupt();
    }

    private synchronized int readRegister(int offset) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (offset) {
            case DATA:
                if (dlab) {
                    return divisorLow;
                }
                return takeReceived();
            case IER:
                return dlab ? divisorHigh : ier;
            case IIR_FCR:
                return interruptIdentification() | (fifoEnabled ? IIR_FIFOS_ENABLED : 0);
            case LCR:
                return lcr;
            case MCR:
                return mcr;
            case LSR:
                return LSR_TX_EMPTY | (received.isEmpty() ? 0 : LSR_DATA_READY);
            case MSR:
                return modemStatus();
            case SCRATCH:
                return scratch;
            default:
                return 0xff;
        }
    }

    private synchronized void writeRegister(int offset, int value) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (offset) {
            case DATA:
                if (dlab) {
                    divisorLow = value;
                } else if ((mcr & MCR_LOOPBACK) != 0) {
                    if (received.size() < RX_FIFO_BYTES) {
                        received.add((byte) value);
                    }
                } else {
                    transmit(value);
                }
                break;
            case IER:
                if (dlab) {
                    divisorHigh = value;
                } else {
                    ier = value & 0x0f;
                }
                break;
            case IIR_FCR:
                fifoEnabled = (value & FCR_ENABLE_FIFO) != 0;
                break;
            case LCR:
                lcr = value;
                break;
            case MCR:
                mcr = value & 0x1f;
                break;
            case SCRATCH:
                scratch = value;
                break;
            default:
                break; // LSR and MSR are read-only
        }
        updateInterrupt();
    }

    private int takeReceived() {
        Byte value = received.poll();
        if (value == null) {
            return 0;
        }
        notifyAll();
        updateInterrupt();
        return value & 0xff;
    }

    private int interruptIdentification() {
        if ((ier & IER_RX_DATA) != 0 && !received.isEmpty()) {
            return IIR_RX_DATA;
        }
        if ((ier & IER_TX_EMPTY) != 0) {
            return IIR_TX_EMPTY;
        }
        return IIR_NONE;
    }

    /** In loopback the modem outputs (DTR, RTS, OUT1, OUT2) come back as inputs (DSR, CTS, RI, DCD). */
    private int modemStatus() {
        if ((mcr & MCR_LOOPBACK) == 0) {
            return MSR_DCD_DSR_CTS;
        }
        int status = 0;
        status |= (mcr & 0x01) != 0 ? 0x20 : 0;
        status |= (mcr & 0x02) != 0 ? 0x10 : 0;
        status |= (mcr & 0x04) != 0 ? 0x40 : 0;
        status |= (mcr & 0x08) != 0 ? 0x80 : 0;
        return status;
    }

    /** Under the register lock, so the one-byte buffer is never shared. */
    private void transmit(int value) {
        transmitted[0] = (byte) value;
        output.write(transmitted);
    }

    private void updateInterrupt() {
        interrupt.set(interruptIdentification() != IIR_NONE);
    }
}
