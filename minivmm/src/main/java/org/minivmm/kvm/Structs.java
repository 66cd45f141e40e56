package org.minivmm.kvm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Native-order direct buffers that stand in for the C structs passed to ioctl. */
final class Structs {
    private Structs() {
    }

    static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }
}
