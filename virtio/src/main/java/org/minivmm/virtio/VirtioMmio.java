package org.minivmm.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.minivmm.bus.BusDevice;
import org.minivmm.bus.InterruptLine;
import org.minivmm.memory.GuestMemory;
import org.minivmm.memory.GuestMemoryException;

/**
 * The virtio-mmio transport, version 2 register layout (virtio 1.2, 4.2.2): feature negotiation,
 * the device status state machine, queue set-up, notifications, the interrupt status, and the device's
 * config space at 0x100. A driver that breaks the rules gets NEEDS_RESET, and the VMM carries on.
 */
public final class VirtioMmio implements BusDevice {
    /** The register window each device occupies on the MMIO bus. */
    public static final int WINDOW_BYTES = 0x200;

    public static final long F_RING_INDIRECT_DESC = 1L << 28;
    public static final long F_RING_EVENT_IDX = 1L << 29;
    public static final long F_VERSION_1 = 1L << 32;

    static final int STATUS_ACKNOWLEDGE = 1;
    static final int STATUS_DRIVER = 2;
    static final int STATUS_DRIVER_OK = 4;
    static final int STATUS_FEATURES_OK = 8;
    static final int STATUS_NEEDS_RESET = 64;
    static final int STATUS_FAILED = 128;
    static final int INTERRUPT_USED_BUFFER = 1;
    static final int INTERRUPT_CONFIG_CHANGE = 2;

    private static final int MAGIC = 0x74726976; // "virt"
    private static final int VENDOR = 0x4d564d4d; // "MMVM"
    private static final int CONFIG_SPACE = 0x100;
    /** The register a driver writes a queue index to, to kick it. */
    public static final int QUEUE_NOTIFY = 0x050;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final InterruptLine interrupt;
    private final Consumer<String> problems;
    private final long offeredFeatures;
    private final QueueSetup[] queues;

    private int deviceFeaturesSelect;
    private int driverFeaturesSelect;
    private long driverFeatures;
    private int queueSelect;
    private int status;
    private int interruptStatus;
    private int configGeneration;
    private List<Virtqueue> activeQueues;
    private String problem;

    /** What the driver configured for one queue before it was activated. */
    private static final class QueueSetup {
        final int maxSize;
        int size;
        boolean ready;
        long descriptors;
        long avail;
        long used;

        QueueSetup(int maxSize) {
            this.maxSize = maxSize;
            this.size = maxSize;
        }
    }

    public VirtioMmio(VirtioDevice device, GuestMemory memory, InterruptLine interrupt) {
        this(device, memory, interrupt, problem -> { });
    }

    /** {@code problems} hears why the device entered NEEDS_RESET, so the host can say what the guest did wrong. */
    public VirtioMmio(VirtioDevice device, GuestMemory memory, InterruptLine interrupt, Consumer<String> problems) {
        this.problems = problems;
        this.device = device;
        this.memory = memory;
        this.interrupt = interrupt;
        this.offeredFeatures = device.deviceFeatures() | F_VERSION_1 | F_RING_INDIRECT_DESC | F_RING_EVENT_IDX;
        this.queues = device.queueMaxSizes().stream().map(QueueSetup::new).toArray(QueueSetup[]::new);
    }

    /** Why the device last entered NEEDS_RESET, for the VMM's log; null while all is well. */
    public synchronized String problem() {
        return problem;
    }

    @Override
    public synchronized void read(long offset, byte[] data) {
        if (offset >= CONFIG_SPACE) {
            device.readConfig((int) (offset - CONFIG_SPACE), data);
            return;
        }
        int value = data.length == 4 && offset % 4 == 0 ? register((int) offset) : 0;
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value);
    }

    private int register(int offset) {
        QueueSetup queue = selectedQueue();
        return switch (offset) {
            case 0x000 -> MAGIC;
            case 0x004 -> 2;
            case 0x008 -> device.deviceId();
            case 0x00c -> VENDOR;
            case 0x010 -> deviceFeaturesSelect < 2 ? (int) (offeredFeatures >>> (32 * deviceFeaturesSelect)) : 0;
            case 0x034 -> queue == null ? 0 : queue.maxSize;
            case 0x044 -> queue != null && queue.ready ? 1 : 0;
            case 0x060 -> interruptStatus;
            case 0x070 -> status;
            case 0x0fc -> configGeneration;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, byte[] data) {
        if (offset >= CONFIG_SPACE) {
            device.writeConfig((int) (offset - CONFIG_SPACE), data);
            return;
        }
        if (data.length != 4 || offset % 4 != 0) {
            return; // registers take aligned 32-bit writes only
        }
        int value = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        QueueSetup queue = selectedQueue();
        switch ((int) offset) {
            case 0x014 -> deviceFeaturesSelect = value;
            case 0x020 -> setDriverFeatures(value);
            case 0x024 -> driverFeaturesSelect = value;
            case 0x030 -> queueSelect = value;
            case 0x038 -> {
                if (queue != null && !queue.ready) {
                    queue.size = value;
                }
            }
            case 0x044 -> {
                if (queue != null) {
                    queue.ready = value == 1;
                }
            }
            case QUEUE_NOTIFY -> queueNotified(value);
            case 0x064 -> acknowledgeInterrupt(value);
            case 0x070 -> setStatus(value);
            case 0x080 -> configureAddress(queue, q -> q.descriptors = low(q.descriptors, value));
            case 0x084 -> configureAddress(queue, q -> q.descriptors = high(q.descriptors, value));
            case 0x090 -> configureAddress(queue, q -> q.avail = low(q.avail, value));
            case 0x094 -> configureAddress(queue, q -> q.avail = high(q.avail, value));
            case 0x0a0 -> configureAddress(queue, q -> q.used = low(q.used, value));
            case 0x0a4 -> configureAddress(queue, q -> q.used = high(q.used, value));
            default -> { } // read-only or unknown: ignored, as the spec asks of devices
        }
    }

    private QueueSetup selectedQueue() {
        return queueSelect >= 0 && queueSelect < queues.length ? queues[queueSelect] : null;
    }

    private void setDriverFeatures(int value) {
        if (driverFeaturesSelect < 2 && (status & STATUS_FEATURES_OK) == 0) {
            int shift = 32 * driverFeaturesSelect;
            driverFeatures = (driverFeatures & ~(0xffffffffL << shift)) | ((value & 0xffffffffL) << shift);
        }
    }

    private void configureAddress(QueueSetup queue, Consumer<QueueSetup> change) {
        if (queue != null && !queue.ready) {
            change.accept(queue);
        }
    }

    private static long low(long address, int value) {
        return (address & 0xffffffff00000000L) | (value & 0xffffffffL);
    }

    private static long high(long address, int value) {
        return (address & 0xffffffffL) | ((long) value << 32);
    }

    /** The status register: writing 0 resets; FEATURES_OK sticks only for an acceptable feature set. */
    private void setStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int newlySet = value & ~status;
        status = value & ~STATUS_NEEDS_RESET | (status & STATUS_NEEDS_RESET);
        if ((newlySet & STATUS_FEATURES_OK) != 0 && !featuresAcceptable()) {
            status &= ~STATUS_FEATURES_OK;
        }
        if ((newlySet & STATUS_DRIVER_OK) != 0 && (status & STATUS_FEATURES_OK) != 0) {
            activate();
        }
    }

    private boolean featuresAcceptable() {
        return (driverFeatures & ~offeredFeatures) == 0 && (driverFeatures & F_VERSION_1) != 0;
    }

    private void activate() {
        List<Virtqueue> active = new ArrayList<>();
        try {
            for (int i = 0; i < queues.length; i++) {
                QueueSetup setup = queues[i];
                if (!setup.ready) {
                    active.add(null); // a queue the driver does not use (virtio 1.2, 3.1.1 step 7: only those it will use)
                    continue;
                }
                if (setup.size > setup.maxSize) {
                    throw new VirtqueueException("queue " + i + " size " + setup.size + " exceeds its maximum " + setup.maxSize);
                }
                active.add(new Virtqueue(memory, setup.size, setup.descriptors, setup.avail, setup.used,
                        (driverFeatures & F_RING_EVENT_IDX) != 0, (driverFeatures & F_RING_INDIRECT_DESC) != 0));
            }
        } catch (VirtqueueException e) {
            needsReset(e.getMessage());
            return;
        }
        activeQueues = active;
        device.activate(memory, active, driverFeatures);
    }

    /**
     * The driver kicked a queue: called on a vCPU thread for a plain MMIO write, or on the device's
     * I/O thread when the kick arrives through an ioeventfd.
     */
    public synchronized void queueNotified(int queue) {
        if (activeQueues == null || queue < 0 || queue >= activeQueues.size() || activeQueues.get(queue) == null
                || (status & STATUS_NEEDS_RESET) != 0) {
            return;
        }
        try {
            if (device.process(queue) && activeQueues.get(queue).needsInterrupt()) {
                raise(INTERRUPT_USED_BUFFER);
            }
        } catch (VirtqueueException | GuestMemoryException e) {
            needsReset(e.getMessage());
        }
    }

    private void needsReset(String why) {
        problem = why;
        problems.accept(why);
        status |= STATUS_NEEDS_RESET;
        configGeneration++;
        raise(INTERRUPT_CONFIG_CHANGE);
    }

    private void raise(int cause) {
        interruptStatus |= cause;
        interrupt.set(true);
    }

    /** Lowers the line once all causes are acknowledged; if some remain, pulses it so an edge-triggered pin sees them. */
    private void acknowledgeInterrupt(int value) {
        interruptStatus &= ~value;
        interrupt.set(false);
        if (interruptStatus != 0) {
            interrupt.set(true);
        }
    }

    private void reset() {
        device.reset();
        activeQueues = null;
        status = 0;
        driverFeatures = 0;
        deviceFeaturesSelect = 0;
        driverFeaturesSelect = 0;
        queueSelect = 0;
        interruptStatus = 0;
        problem = null;
        interrupt.set(false);
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new QueueSetup(queues[i].maxSize);
        }
    }
}
