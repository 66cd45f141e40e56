package org.minivmm.dax;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.Virtqueue;
import org.minivmm.virtio.VirtqueueException;

/**
 * virtio-pmem (device id 27): tells the guest where its pmem region is (config: start and size) and
 * answers flush requests. The region is a MAP_PRIVATE image whose writes vanish with the VM by design,
 * so a flush has nothing to make durable; it must still complete, or the guest's fsync would hang.
 */
public final class VirtioPmem implements VirtioDevice {
    public static final int DEVICE_ID = 27;
    private static final int QUEUE_SIZE = 128;
    private static final int REQUEST_FLUSH = 0;
    private static final int RESPONSE_OK = 0;
    private static final int RESPONSE_ERROR = 1;

    private final long start;
    private final long size;
    private GuestMemory memory;
    private Virtqueue queue;

    public VirtioPmem(long start, long size) {
        this.start = start;
        this.size = size;
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
        ByteBuffer config = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, start).putLong(8, size);
        for (int i = 0; i < data.length; i++) {
            data[i] = offset + i >= 0 && offset + i < config.capacity() ? config.get(offset + i) : 0;
        }
    }

    @Override
    public void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        this.memory = memory;
        this.queue = queues.get(0);
    }

    @Override
    public boolean process(int queueIndex) throws VirtqueueException {
        boolean used = false;
        for (DescriptorChain chain; (chain = queue.pop()) != null; used = true) {
            if (chain.writableLength() < 4) {
                queue.addUsed(chain.head(), 0); // nowhere to put the answer
                continue;
            }
            byte[] request = chain.read(memory, 4);
            boolean flush = request.length == 4 && ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN).getInt() == REQUEST_FLUSH;
            byte[] response = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(flush ? RESPONSE_OK : RESPONSE_ERROR).array();
            queue.addUsed(chain.head(), chain.write(memory, 0, response));
        }
        return used;
    }

    @Override
    public void reset() {
        memory = null;
        queue = null;
    }
}
