package org.minivmm.virtio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.minivmm.memory.GuestMemory;

/**
 * A virtio driver written in Java, doing through the transport's registers and guest memory what
 * Linux's virtio-mmio driver does: negotiate, lay out split rings, post chains, kick, read the used ring.
 */
public final class SimulatedDriver {
    public static final long MEMORY_BYTES = 1 << 20;
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    public final GuestMemory memory;
    public final VirtioMmio transport;
    public boolean interruptLine;
    public int interruptRaises;

    private final long[] descriptorTables = new long[8];
    private final long[] availRings = new long[8];
    private final long[] usedRings = new long[8];
    private final int[] sizes = new int[8];
    private final int[] nextFreeDescriptor = new int[8];
    private final int[] availIndex = new int[8];

    public SimulatedDriver(VirtioDevice device) {
        this(device, GuestMemory.of(List.of(new GuestMemory.Region(0, ByteBuffer.allocateDirect((int) MEMORY_BYTES)))));
    }

    /** A driver over {@code memory}, which must hold at least the first MiB for the rings and buffers. */
    public SimulatedDriver(VirtioDevice device, GuestMemory memory) {
        this.memory = memory;
        transport = new VirtioMmio(device, memory, high -> {
            if (high && !interruptLine) {
                interruptRaises++;
            }
            interruptLine = high;
        });
    }

    public int read(int register) {
        byte[] data = new byte[4];
        transport.read(register, data);
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    public void write(int register, int value) {
        transport.write(register, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    public long deviceFeatures() {
        write(0x014, 0);
        long low = read(0x010) & 0xffffffffL;
        write(0x014, 1);
        return low | ((long) read(0x010) << 32);
    }

    /** Returns whether the device accepted the features (FEATURES_OK stayed set). */
    public boolean negotiate(long features) {
        write(0x070, 0);
        write(0x070, VirtioMmio.STATUS_ACKNOWLEDGE);
        write(0x070, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER);
        write(0x024, 0);
        write(0x020, (int) features);
        write(0x024, 1);
        write(0x020, (int) (features >>> 32));
        write(0x070, VirtioMmio.STATUS_ACKNOWLEDGE | VirtioMmio.STATUS_DRIVER | VirtioMmio.STATUS_FEATURES_OK);
        return (read(0x070) & VirtioMmio.STATUS_FEATURES_OK) != 0;
    }

    /** Lays out queue {@code queue}'s rings at {@code base}, as Linux does: table, avail ring, used ring. */
    public void setUpQueue(int queue, int size, long base) {
        descriptorTables[queue] = base;
        availRings[queue] = base + 16L * size;
        usedRings[queue] = (availRings[queue] + 6 + 2L * size + 3) & ~3L;
        sizes[queue] = size;
        write(0x030, queue);
        write(0x038, size);
        write(0x080, (int) descriptorTables[queue]);
        write(0x084, 0);
        write(0x090, (int) availRings[queue]);
        write(0x094, 0);
        write(0x0a0, (int) usedRings[queue]);
        write(0x0a4, 0);
        write(0x044, 1);
    }

    public void driverOk() {
        write(0x070, read(0x070) | VirtioMmio.STATUS_DRIVER_OK);
    }

    /** A buffer of a chain: where, how long, and whether the device may write it. */
    public record Buffer(long address, int length, boolean writable) {
    }

    /**
     * Posts a chain of direct descriptors and returns its head. Descriptors are reused round the table:
     * the tests complete each request before posting more than a table's worth.
     */
    public int post(int queue, List<Buffer> buffers) {
        int size = sizes[queue];
        int head = nextFreeDescriptor[queue] % size;
        for (int i = 0; i < buffers.size(); i++) {
            Buffer buffer = buffers.get(i);
            boolean last = i == buffers.size() - 1;
            writeDescriptor(descriptorTables[queue] + 16L * ((head + i) % size), buffer.address(), buffer.length(),
                    (buffer.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT), (head + i + 1) % size);
        }
        nextFreeDescriptor[queue] += buffers.size();
        publish(queue, head);
        return head;
    }

    /** Posts one descriptor pointing at an indirect table at {@code table} that holds {@code buffers}. */
    public int postIndirect(int queue, long table, List<Buffer> buffers) {
        for (int i = 0; i < buffers.size(); i++) {
            Buffer buffer = buffers.get(i);
            boolean last = i == buffers.size() - 1;
            writeDescriptor(table + 16L * i, buffer.address(), buffer.length(),
                    (buffer.writable() ? F_WRITE : 0) | (last ? 0 : F_NEXT), i + 1);
        }
        int head = nextFreeDescriptor[queue]++ % sizes[queue];
        writeDescriptor(descriptorTables[queue] + 16L * head, table, 16 * buffers.size(), F_INDIRECT, 0);
        publish(queue, head);
        return head;
    }

    public void writeDescriptor(long at, long address, int length, int flags, int next) {
        memory.writeLong(at, address);
        memory.writeInt(at + 8, length);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) next);
    }

    public void publish(int queue, int head) {
        memory.writeShort(availRings[queue] + 4 + 2L * (availIndex[queue] % sizes[queue]), (short) head);
        availIndex[queue]++;
        memory.writeShort(availRings[queue] + 2, (short) availIndex[queue]);
    }

    public void kick(int queue) {
        write(0x050, queue);
    }

    public int usedIndex(int queue) {
        return Short.toUnsignedInt(memory.readShort(usedRings[queue] + 2));
    }

    /** The {@code i}th used element: {head, bytes written}. */
    public int[] used(int queue, int i) {
        long element = usedRings[queue] + 4 + 8L * (i % sizes[queue]);
        return new int[] {memory.readInt(element), memory.readInt(element + 4)};
    }

    /** With EVENT_IDX: ask for an interrupt only after the used index passes {@code index}. */
    public void setUsedEvent(int queue, int index) {
        memory.writeShort(availRings[queue] + 4 + 2L * sizes[queue], (short) index);
    }

    public long availRing(int queue) {
        return availRings[queue];
    }

    public long descriptorTable(int queue) {
        return descriptorTables[queue];
    }

    public boolean needsReset() {
        return (read(0x070) & VirtioMmio.STATUS_NEEDS_RESET) != 0;
    }

    public void acknowledgeInterrupts() {
        write(0x064, read(0x060));
    }
}
