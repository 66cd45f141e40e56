package org.minivmm.virtio;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.minivmm.virtio.net.NetBackend;

/** A network in a list: frames the device sent are kept, frames queued here wait until the device asks. */
final class MemoryNetBackend implements NetBackend {
    final List<byte[]> sent = new ArrayList<>();
    final Deque<byte[]> waiting = new ArrayDeque<>();
    int receiveCalls;
    boolean refuseSends;
    boolean broken;

    @Override
    public boolean send(byte[] frame, int offset, int length) {
        if (refuseSends) {
            return false;
        }
        sent.add(Arrays.copyOfRange(frame, offset, offset + length));
        return true;
    }

    @Override
    public int receive(byte[] buffer) throws IOException {
        receiveCalls++;
        if (broken) {
            throw new IOException("the network went away");
        }
        byte[] frame = waiting.poll();
        if (frame == null) {
            return -1;
        }
        System.arraycopy(frame, 0, buffer, 0, frame.length);
        return frame.length;
    }
}
