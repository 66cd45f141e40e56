package org.minivmm.virtio.console;

import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import org.minivmm.bus.HostOutput;
import org.minivmm.memory.GuestMemory;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.VirtioDevice;
import org.minivmm.virtio.Virtqueue;
import org.minivmm.virtio.VirtqueueException;

/**
 * The console device (id 3), port 0 only (no multiport): what the guest writes to hvc0 goes to the
 * console output, and the host's input waits here until the guest posts buffers on the receive queue.
 */
public final class VirtioConsole implements VirtioDevice {
    public static final int DEVICE_ID = 3;
    public static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;
    private static final int QUEUE_SIZE = 256;
    /** Host input held until the guest takes it; give it at most this much between deliveries. */
    public static final int INPUT_BYTES = 4096;
    /** One transmit request is written out at most this large, so a guest cannot make the VMM buffer gigabytes. */
    private static final int MAX_OUTPUT_PER_REQUEST = 64 * 1024;

    private final HostOutput output;
    private final byte[] input = new byte[INPUT_BYTES];
    private int inputLength;
    private GuestMemory memory;
    private List<Virtqueue> queues;

    public VirtioConsole(OutputStream output) {
        this.output = new HostOutput(output);
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
        return List.of(QUEUE_SIZE, QUEUE_SIZE);
    }

    /** No size and no multiport features are offered, so the config space holds nothing the driver reads. */
    @Override
    public void readConfig(int offset, byte[] data) {
        Arrays.fill(data, (byte) 0);
    }

    @Override
    public synchronized void activate(GuestMemory memory, List<Virtqueue> queues, long negotiatedFeatures) {
        this.memory = memory;
        this.queues = queues;
    }

    @Override
    public synchronized boolean process(int queue) throws VirtqueueException {
        return queue == TRANSMIT_QUEUE ? transmit(queues.get(TRANSMIT_QUEUE)) : deliver(queues.get(RECEIVE_QUEUE));
    }

    private boolean transmit(Virtqueue transmit) throws VirtqueueException {
        boolean used = false;
        for (DescriptorChain chain; (chain = transmit.pop()) != null; used = true) {
            output.write(chain.read(memory, MAX_OUTPUT_PER_REQUEST));
            transmit.addUsed(chain.head(), 0);
        }
        return used;
    }



    /** Hands waiting input to the buffers the guest posted; input stays here while there are none. */
    private boolean deliver(Virtqueue receive) throws VirtqueueException {
        boolean used = false;
        DescriptorChain chain;
        while (inputLength > 0 && (chain = receive.pop()) != null) {
            int written = chain.write(memory, 0, Arrays.copyOf(input, inputLength));
            System.arraycopy(input, written, input, 0, inputLength - written);
            inputLength -= written;
            receive.addUsed(chain.head(), written);
            used = true;
        }
        notifyAll();
        return used;
    }

    /**
     * Queues host input for the guest, waiting while the buffer is full: nothing is dropped. The caller
     * then has the receive queue served ({@link #RECEIVE_QUEUE}), which delivers it when the guest is ready.
     */
    public synchronized void receive(byte[] bytes, int length) throws InterruptedException {
        for (int done = 0; done < length; ) {
            while (inputLength == input.length) {
                wait();
            }
            int chunk = Math.min(length - done, input.length - inputLength);
            System.arraycopy(bytes, done, input, inputLength, chunk);
            inputLength += chunk;
            done += chunk;
        }
    }

    @Override
    public synchronized void reset() {
        memory = null;
        queues = null;
    }
}
