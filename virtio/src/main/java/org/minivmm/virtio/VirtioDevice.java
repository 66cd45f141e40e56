package org.minivmm.virtio;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.minivmm.memory.GuestMemory;

/**
 * A virtio device model behind {@link VirtioMmio}: it declares its id, features, queues and config
 * space, and serves requests once the driver has set it up. It never sees KVM or the register file.
 */
public interface VirtioDevice {
    /** The device type (virtio 1.2, 5): 1 net, 2 block, 3 console, 4 entropy, 27 pmem. */
    int deviceId();

    /** Device-type feature bits; the transport adds the ring and version features itself. */
    long deviceFeatures();

    /** The maximum size of each queue; the list's length is the number of queues. */
    List<Integer> queueMaxSizes();

    void readConfig(int offset, byte[] data);

    /** Fills {@code data} from {@code config} at {@code offset}, little-endian as built; bytes past its end read as zero. */
    static void readConfigFrom(ByteBuffer config, int offset, byte[] data) {
        Arrays.fill(data, (byte) 0);
        for (int i = 0; i < data.length; i++) {
            if (offset + i >= 0 && offset + i < config.capacity()) {
                data[i] = config.get(offset + i);
            }
        }
    }

    /** Most devices have a read-only config space; a write there is ignored. */
    default void writeConfig(int offset, byte[] data) {
    }

    /**
     * The driver finished set-up (DRIVER_OK): these are the queues and memory to serve from now on. A
     * queue the driver left unconfigured is null, and {@link #process} is never called for it.
     */
    void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures);

    /**
     * The driver made buffers available on {@code queue}. Returns true when the used ring changed,
     * so the transport may interrupt. A {@link VirtqueueException} puts the device in NEEDS_RESET.
     */
    boolean process(int queue) throws VirtqueueException;

    /** The driver reset the device: forget the queues, back to the state before activate. */
    void reset();
}
