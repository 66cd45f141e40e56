package org.minivmm.host;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An eventfd(2): the counter KVM signals through an ioeventfd when the guest kicks a queue, and that
 * minivmm signals to have KVM inject an interrupt through an irqfd.
 */
public final class EventFd implements AutoCloseable {
    private static final int EFD_CLOEXEC = 02000000;
    private static final int EFD_NONBLOCK = 04000;

    private final int fd;
    private final ByteBuffer value = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());

    public EventFd() {
        fd = LibC.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) {
            throw Host.failure("eventfd");
        }
    }

    public int fd() {
        return fd;
    }

    /** Adds one to the counter, waking whoever waits on it. */
    public synchronized void signal() {
        value.putLong(0, 1);
        if (LibC.write(fd, value, 8) != 8 && LibC.errno() != Host.EAGAIN) {
            throw Host.failure("write to eventfd");
        }
    }

    /** Reads and clears the counter; returns 0 when nothing was signalled. */
    public synchronized long consume() {
        if (LibC.read(fd, value, 8) != 8) {
            if (LibC.errno() == Host.EAGAIN) {
                return 0;
            }
            throw Host.failure("read from eventfd");
        }
        return value.getLong(0);
    }

    @Override
    public void close() {
        Host.close(fd);
    }
}
