package org.minivmm.virtio.rng;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.Virtqueue;
import org.minivmm.virtio.VirtqueueException;

/** The entropy device (id 4): fills each writable buffer the guest offers with bytes from the host's /dev/urandom. */
public final class VirtioRng implements VirtioDevice {
    public static final int DEVICE_ID = 4;
    private static final int QUEUE_SIZE = 256;
    /** One request gets at most this much, so a guest cannot make the VMM read gigabytes at once. */
    private static final int MAX_BYTES_PER_REQUEST = 64 * 1024;

    private final Supplier<InputStream> source;
    private GuestMemory memory;
    private Virtqueue queue;
    private InputStream random;

    /** {@code source} opens the entropy stream; the VMM passes /dev/urandom. */
    public VirtioRng(Supplier<InputStream> source) {
        this.source = source;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long deviceFeatures() {
        return 0;
    }

    @Override
    public List<Integer> queueMaxSizes() {
        return List.of(QUEUE_SIZE);
    }

    @Override
    public void readConfig(int offset, byte[] data) {
        Arrays.fill(data, (byte) 0); // no config space
    }

    @Override
    public void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        this.memory = memory;
        this.queue = queues.get(0);
        this.random = source.get();
    }

    @Override
    public boolean process(int queueIndex) throws VirtqueueException {
        boolean used = false;
        for (DescriptorChain chain; (chain = queue.pop()) != null; used = true) {
            byte[] bytes = new byte[(int) Math.min(chain.writableLength(), MAX_BYTES_PER_REQUEST)];
            try {
                random.readNBytes(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new UncheckedIOException("reading the host's entropy source", e);
            }
            queue.addUsed(chain.head(), chain.write(memory, 0, bytes));
        }
        return used;
    }

    @Override
    public void reset() {
        memory = null;
        queue = null;
        if (random != null) {
            try {
                random.close();
            } catch (IOException e) {
                // Closing a read-only source cannot lose anything.
            }
            random = null;
        }
    }
}
