package org.minivmm.dax;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.SingleQueueDevice;

/**
 * virtio-pmem (device id 27): tells the guest where its pmem region is (config: start and size) and
 * answers flush requests. The region is a MAP_PRIVATE image whose writes vanish with the VM by design,
 * so a flush has nothing to make durable; it must still complete, or the guest's fsync would hang.
 */
public final class VirtioPmem extends SingleQueueDevice {
    public static final int DEVICE_ID = 27;
    private static final int QUEUE_SIZE = 128;
    private static final int REQUEST_FLUSH = 0;
    private static final int RESPONSE_OK = 0;
    private static final int RESPONSE_ERROR = 1;

    private final long start;
    private final long size;

    public VirtioPmem(long start, long size) {
        super(DEVICE_ID, 0, QUEUE_SIZE);
        this.start = start;
        this.size = size;
    }

    /** Config space: the region's start and size. */
    @Override
    protected ByteBuffer config() {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, start).putLong(8, size);
    }

    @Override
    protected int serve(DescriptorChain request, GuestMemory memory) {
        if (request.writableLength() < 4) {
            return 0; // nowhere to put the answer
        }
        byte[] type = request.read(memory, 4);
        boolean flush = type.length == 4 && ByteBuffer.wrap(type).order(ByteOrder.LITTLE_ENDIAN).getInt() == REQUEST_FLUSH;
        return request.write(memory, 0, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(flush ? RESPONSE_OK : RESPONSE_ERROR).array());
    }
}
