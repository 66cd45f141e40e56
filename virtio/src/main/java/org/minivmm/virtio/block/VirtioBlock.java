package org.minivmm.virtio.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.minivmm.memory.GuestMemory;
import org.minivmm.memory.GuestMemoryException;
import org.minivmm.virtio.DescriptorChain;
import org.minivmm.virtio.DescriptorChain.Buffer;
import org.minivmm.virtio.SingleQueueDevice;

/**
 * The block device (id 2) backed by a file: read, write, flush and get-id, with positional I/O
 * straight between the file and guest memory. A flush is an fsync, so nothing the guest saw flushed
 * can be lost. A malformed request gets an error status, not a device reset: one bad request from a
 * guest should fail, and the disk should go on.
 */
public final class VirtioBlock extends SingleQueueDevice implements AutoCloseable {
    public static final int DEVICE_ID = 2;
    public static final int SECTOR_BYTES = 512;

    static final long F_SEG_MAX = 1L << 2;
    static final long F_RO = 1L << 5;
    static final long F_FLUSH = 1L << 9;
    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    private static final int QUEUE_SIZE = 256;
    private static final int HEADER_BYTES = 16;
    private static final int ID_BYTES = 20;
    private static final int SEG_MAX = QUEUE_SIZE - 2;

    private final FileChannel file;
    private final boolean readOnly;
    private final long capacitySectors;
    private final byte[] id;

    private VirtioBlock(FileChannel file, boolean readOnly, long capacitySectors, byte[] id) {
        super(DEVICE_ID, F_SEG_MAX | F_FLUSH | (readOnly ? F_RO : 0), QUEUE_SIZE);
        this.file = file;
        this.readOnly = readOnly;
        this.capacitySectors = capacitySectors;
        this.id = id;
    }

    /** Opens the backing file; its size must be a whole number of 512-byte sectors. */
    public static VirtioBlock open(Path path, boolean readOnly) throws IOException {
        FileChannel file = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = file.size();
        if (size % SECTOR_BYTES != 0 || size == 0) {
            file.close();
            throw new IllegalArgumentException(path + " is " + size + " bytes, not a whole number of 512-byte sectors;"
                    + " pad it (truncate -s %512) or use a disk image");
        }
        byte[] id = path.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        return new VirtioBlock(file, readOnly, size / SECTOR_BYTES, Arrays.copyOf(id, Math.min(id.length, ID_BYTES)));
    }

    /** Config space: capacity (u64, in sectors) at 0, size_max at 8 (0: no limit), seg_max at 12. */
    @Override
    protected ByteBuffer config() {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(0, capacitySectors).putInt(12, SEG_MAX);
    }

    /** Serves one request; returns the bytes written into the guest's buffers, status byte included. */
    @Override
    protected int serve(DescriptorChain chain, GuestMemory memory) {
        List<Buffer> writable = chain.writable();
        if (chain.readableLength() < HEADER_BYTES || writable.isEmpty()) {
            return 0; // no header or no status byte: nothing can be answered
        }
        Buffer statusBuffer = writable.get(writable.size() - 1);
        long statusAddress = statusBuffer.address() + statusBuffer.length() - 1;
        if (statusBuffer.length() == 0) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.wrap(chain.read(memory, HEADER_BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        int type = header.getInt(0);
        long sector = header.getLong(8);
        List<Buffer> dataOut = chain.readable();
        List<Buffer> dataIn = withoutStatusByte(writable);
        int written = 0;
        int status;
        try {
            switch (type) {
                case T_IN -> {
                    status = read(memory, sector, dataIn);
                    written = status == S_OK ? (int) lengthOf(dataIn) : 0;
                }
                case T_OUT -> status = readOnly ? S_IOERR : write(memory, sector, dataOut, HEADER_BYTES);
                case T_FLUSH -> {
                    file.force(true);
                    status = S_OK;
                }
                case T_GET_ID -> {
                    written = new DescriptorChain(chain.head(), List.of(), dataIn).write(memory, 0,
                            Arrays.copyOf(id, (int) Math.min(ID_BYTES, lengthOf(dataIn))));
                    status = S_OK;
                }
                default -> status = S_UNSUPP;
            }
        } catch (IOException | GuestMemoryException e) {
            status = S_IOERR; // a host I/O error, or data buffers the guest gave in read-only memory
        }
        memory.writeByte(statusAddress, (byte) status);
        return written + 1;
    }

    private static List<Buffer> withoutStatusByte(List<Buffer> writable) {
        List<Buffer> data = new ArrayList<>(writable);
        Buffer last = data.remove(data.size() - 1);
        if (last.length() > 1) {
            data.add(new Buffer(last.address(), last.length() - 1));
        }
        return data;
    }

    private static long lengthOf(List<Buffer> buffers) {
        return buffers.stream().mapToLong(Buffer::length).sum();
    }

    /** Whether [sector, sector + bytes) is a whole-sector range inside the disk. */
    private boolean inside(long sector, long bytes) {
        return bytes % SECTOR_BYTES == 0 && sector >= 0 && sector <= capacitySectors
                && bytes / SECTOR_BYTES <= capacitySectors - sector;
    }

    private int read(GuestMemory memory, long sector, List<Buffer> buffers) throws IOException {
        if (!inside(sector, lengthOf(buffers))) {
            return S_IOERR;
        }
        long position = sector * SECTOR_BYTES;
        for (Buffer buffer : buffers) {
            for (ByteBuffer target : memory.writableSlices(buffer.address(), buffer.length())) {
                while (target.hasRemaining()) {
                    int read = file.read(target, position);
                    if (read < 0) {
                        return S_IOERR;
                    }
                    position += read;
                }
            }
        }
        return S_OK;
    }

    /** Writes the readable buffers after the {@code skip}-byte header to the disk. */
    private int write(GuestMemory memory, long sector, List<Buffer> buffers, long skip) throws IOException {
        if (!inside(sector, lengthOf(buffers) - skip)) {
            return S_IOERR;
        }
        long position = sector * SECTOR_BYTES;
        long toSkip = skip;
        for (Buffer buffer : buffers) {
            long start = Math.min(toSkip, buffer.length());
            toSkip -= start;
            if (start == buffer.length()) {
                continue;
            }
            for (ByteBuffer source : memory.slices(buffer.address() + start, (int) (buffer.length() - start))) {
                while (source.hasRemaining()) {
                    position += file.write(source, position);
                }
            }
        }
        return S_OK;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
