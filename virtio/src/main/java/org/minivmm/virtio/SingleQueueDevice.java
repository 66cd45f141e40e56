package org.minivmm.virtio;

import java.nio.ByteBuffer;
import java.util.List;
import org.minivmm.memory.GuestMemory;

/**
 * What devices with one request queue share: their identity, keeping the memory and queue from
 * activation, serving every available request in turn, forgetting them on reset, and a read-only
 * config space.
 */
public abstract class SingleQueueDevice implements VirtioDevice {
    private final int deviceId;
    private final long features;
    private final int queueSize;
    private GuestMemory memory;
    private Virtqueue queue;

    protected SingleQueueDevice(int deviceId, long features, int queueSize) {
        this.deviceId = deviceId;
        this.features = features;
        this.queueSize = queueSize;
    }

    @Override
    public final int deviceId() {
        return deviceId;
    }

    @Override
    public final long deviceFeatures() {
        return features;
    }

    /** Serves one request; returns how many bytes it wrote into the request's buffers. */
    protected abstract int serve(DescriptorChain request, GuestMemory memory) throws VirtqueueException;

    /** The config space, little-endian; reads past its end give zeros. Empty by default. */
    protected ByteBuffer config() {
        return ByteBuffer.allocate(0);
    }

    @Override
    public final List<Integer> queueMaxSizes() {
        return List.of(queueSize);
    }

    @Override
    public final void readConfig(int offset, byte[] data) {
        VirtioDevice.readConfigFrom(config(), offset, data);
    }

    @Override
    public void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        this.memory = memory;
        this.queue = queues.get(0);
    }

    @Override
    public final boolean process(int queueIndex) throws VirtqueueException {
        boolean used = false;
        for (DescriptorChain request; (request = queue.pop()) != null; used = true) {
            queue.addUsed(request.head(), serve(request, memory));
        }
        return used;
    }

    @Override
    public void reset() {
        memory = null;
        queue = null;
    }
}
