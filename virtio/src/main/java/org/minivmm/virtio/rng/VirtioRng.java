package org.minivmm.virtio.rng;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Supplier;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.SingleQueueDevice;
import org.minivmm.virtio.Virtqueue;

/** The entropy device (id 4): fills each writable buffer the guest offers with bytes from the host's /dev/urandom. */
public final class VirtioRng extends SingleQueueDevice {
    public static final int DEVICE_ID = 4;
    private static final int QUEUE_SIZE = 256;
    /** One request gets at most this much, so a guest cannot make the VMM read gigabytes at once. */
    private static final int MAX_BYTES_PER_REQUEST = 64 * 1024;

    private final Supplier<InputStream> source;
    private InputStream random;

    /** {@code source} opens the entropy stream; the VMM passes /dev/urandom. */
    public VirtioRng(Supplier<InputStream> source) {
        super(DEVICE_ID, 0, QUEUE_SIZE);
        this.source = source;
    }

    @Override
    public void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        super.activate(memory, queues, negotiatedFeatures);
        random = source.get();
    }

    @Override
    protected int serve(DescriptorChain request, GuestMemory memory) {
        byte[] bytes = new byte[(int) Math.min(request.writableLength(), MAX_BYTES_PER_REQUEST)];
        try {
            random.readNBytes(bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the host's entropy source", e);
        }
        return request.write(memory, 0, bytes);
    }

    @Override
    public void reset() {
        super.reset();
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
