package org.minivmm.virtio;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import org.minivmm.memory.GuestMemory;

/**
 * A split virtqueue (virtio 1.2, 2.7) as the device side sees it. Everything the driver wrote is
 * untrusted: ring addresses, indices, descriptor chains, buffer addresses and lengths are all checked
 * before use, and a violation is a {@link VirtqueueException}, never an access outside guest memory
 * and never an endless walk.
 */
public final class Virtqueue {
    public static final int MAX_SIZE = 32768;

    private static final int DESCRIPTOR_BYTES = 16;
    private static final int F_NEXT = 1;
    private static final int F_WRITE = 2;
    private static final int F_INDIRECT = 4;
    private static final int AVAIL_F_NO_INTERRUPT = 1;
    /** Indirect tables larger than this are refused: Linux never builds them, and they bound the walk. */
    private static final int MAX_INDIRECT_DESCRIPTORS = 1024;

    private final GuestMemory memory;
    private final int size;
    private final long descriptors;
    private final long avail;
    private final long used;
    private final boolean eventIdx;
    private final boolean indirect;
    private int nextAvail;
    private int nextUsed;
    private int usedAtLastSignal;

    /** Checks the ring layout the driver configured; {@code size} must be a power of two up to 32768. */
    public Virtqueue(GuestMemory memory, int size, long descriptors, long avail, long used, boolean eventIdx,
            boolean indirect) throws VirtqueueException {
        if (size <= 0 || size > MAX_SIZE || Integer.bitCount(size) != 1) {
            throw new VirtqueueException("queue size " + size + " is not a power of two up to " + MAX_SIZE);
        }
        checkRing("descriptor table", descriptors, 16, (long) DESCRIPTOR_BYTES * size, memory);
        checkRing("available ring", avail, 2, 6 + 2L * size, memory);
        checkRing("used ring", used, 4, 6 + 8L * size, memory);
        this.memory = memory;
        this.size = size;
        this.descriptors = descriptors;
        this.avail = avail;
        this.used = used;
        this.eventIdx = eventIdx;
        this.indirect = indirect;
    }

    private static void checkRing(String name, long address, int alignment, long length, GuestMemory memory)
            throws VirtqueueException {
        if (address % alignment != 0 || !memory.contains(address, length)) {
            throw new VirtqueueException(String.format("%s at 0x%x (0x%x bytes) is misaligned or outside guest memory",
                    name, address, length));
        }
    }

    public int size() {
        return size;
    }

    /** The next request the driver made available, or null when there is none. */
    public DescriptorChain pop() throws VirtqueueException {
        int availIndex = Short.toUnsignedInt(memory.readShort(avail + 2));
        int pending = (availIndex - nextAvail) & 0xffff;
        if (pending == 0) {
            return null;
        }
        if (pending > size) {
            throw new VirtqueueException("available index moved " + pending + " entries on a queue of " + size);
        }
        int head = Short.toUnsignedInt(memory.readShort(avail + 4 + 2L * (nextAvail % size)));
        nextAvail = (nextAvail + 1) & 0xffff;
        if (eventIdx) {
            // avail_event tells the driver how far we have looked, so it can skip needless kicks
            memory.writeShort(used + 4 + 8L * size, (short) nextAvail);
            // ...and must be visible before the next read of the avail index, or a driver that read the
            // old value skips its kick while we miss its buffer: both sides would wait forever.
            VarHandle.fullFence();
        }
        return walk(head);
    }

    private DescriptorChain walk(int head) throws VirtqueueException {
        if (head >= size) {
            throw new VirtqueueException("descriptor index " + head + " is outside a queue of " + size);
        }
        List<DescriptorChain.Buffer> readable = new ArrayList<>();
        List<DescriptorChain.Buffer> writable = new ArrayList<>();
        long table = descriptors;
        int tableSize = size;
        int index = head;
        boolean inIndirect = false;
        for (int visited = 0; ; visited++) {
            if (visited >= tableSize) {
                throw new VirtqueueException("descriptor chain from " + head + " is longer than its table: a loop");
            }
            long at = table + (long) DESCRIPTOR_BYTES * index;
            long address = memory.readLong(at);
            int length = memory.readInt(at + 8);
            int flags = Short.toUnsignedInt(memory.readShort(at + 12));
            int next = Short.toUnsignedInt(memory.readShort(at + 14));
            if ((flags & F_INDIRECT) != 0) {
                if (!indirect || inIndirect || (flags & F_NEXT) != 0) {
                    throw new VirtqueueException("indirect descriptor at " + index + " is not allowed here");
                }
                // No alignment rule: Linux kmallocs the table (a 48-byte one is only 8-byte aligned).
                if (length <= 0 || length % DESCRIPTOR_BYTES != 0 || length / DESCRIPTOR_BYTES > MAX_INDIRECT_DESCRIPTORS
                        || !memory.contains(address, length)) {
                    throw new VirtqueueException(String.format("indirect table 0x%x+0x%x is malformed", address, length));
                }
                table = address;
                tableSize = length / DESCRIPTOR_BYTES;
                index = 0;
                visited = -1;
                inIndirect = true;
                continue;
            }
            if (length < 0 || !memory.contains(address, length)) {
                throw new VirtqueueException(String.format("buffer 0x%x+0x%x is outside guest memory", address,
                        Integer.toUnsignedLong(length)));
            }
            if ((flags & F_WRITE) != 0) {
                writable.add(new DescriptorChain.Buffer(address, length));
            } else if (!writable.isEmpty()) {
                throw new VirtqueueException("a device-readable buffer follows a writable one in chain " + head);
            } else {
                readable.add(new DescriptorChain.Buffer(address, length));
            }
            if ((flags & F_NEXT) == 0) {
                return new DescriptorChain(head, readable, writable);
            }
            if (next >= tableSize) {
                throw new VirtqueueException("next descriptor " + next + " is outside its table of " + tableSize);
            }
            index = next;
        }
    }

    /** Returns a request to the driver with the number of bytes written into its buffers. */
    public void addUsed(int head, int written) {
        long element = used + 4 + 8L * (nextUsed % size);
        memory.writeInt(element, head);
        memory.writeInt(element + 4, written);
        nextUsed = (nextUsed + 1) & 0xffff;
        memory.writeShort(used + 2, (short) nextUsed);
    }

    /**
     * Whether the driver wants an interrupt for what was used since the last one: with EVENT_IDX when
     * the used index crossed the avail ring's used_event, otherwise unless it set NO_INTERRUPT.
     */
    public boolean needsInterrupt() {
        // The used index written by addUsed must be visible before the driver's used_event or flags are
        // read (x86 lets a load pass an earlier store); otherwise an interrupt the driver waits for is lost.
        VarHandle.fullFence();
        boolean needed;
        if (eventIdx) {
            int usedEvent = Short.toUnsignedInt(memory.readShort(avail + 4 + 2L * size));
            needed = ((nextUsed - usedEvent - 1) & 0xffff) < ((nextUsed - usedAtLastSignal) & 0xffff);
        } else {
            needed = (memory.readShort(avail) & AVAIL_F_NO_INTERRUPT) == 0 && nextUsed != usedAtLastSignal;
        }
        usedAtLastSignal = nextUsed;
        return needed;
    }
}
