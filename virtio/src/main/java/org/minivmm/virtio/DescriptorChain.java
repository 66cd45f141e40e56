package org.minivmm.virtio;

import java.util.List;
import org.minivmm.memory.GuestMemory;

/**
 * One request from the driver: the buffers the device may read, then the ones it may write, all
 * already checked to lie in guest memory. {@code head} is what goes back in the used ring.
 */
public record DescriptorChain(int head, List<Buffer> readable, List<Buffer> writable) {

    /** A guest buffer: [address, address + length). */
    public record Buffer(long address, int length) {
    }

    public long readableLength() {
        return readable.stream().mapToLong(Buffer::length).sum();
    }

    public long writableLength() {
        return writable.stream().mapToLong(Buffer::length).sum();
    }

    /** Reads up to {@code max} bytes of the readable buffers, in order. */
    public byte[] read(GuestMemory memory, int max) {
        byte[] bytes = new byte[(int) Math.min(max, readableLength())];
        int done = 0;
        for (Buffer buffer : readable) {
            int chunk = Math.min(buffer.length(), bytes.length - done);
            memory.read(buffer.address(), bytes, done, chunk);
            done += chunk;
            if (done == bytes.length) {
                break;
            }
        }
        return bytes;
    }

    /** Writes {@code bytes} across the writable buffers from {@code skip} bytes in; returns how many fit. */
    public int write(GuestMemory memory, long skip, byte[] bytes) {
        int done = 0;
        long position = 0;
        for (Buffer buffer : writable) {
            long start = Math.max(skip - position, 0);
            if (start < buffer.length() && done < bytes.length) {
                int chunk = (int) Math.min(buffer.length() - start, bytes.length - done);
                memory.write(buffer.address() + start, bytes, done, chunk);
                done += chunk;
            }
            position += buffer.length();
        }
        return done;
    }
}
