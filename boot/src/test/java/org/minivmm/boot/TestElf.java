package org.minivmm.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small ELF64 files with chosen program headers, laid out per the System V ABI. */
final class TestElf {
    static final int PT_LOAD = 1;
    static final int PT_NOTE = 4;
    static final int PF_X = 1;
    static final int PF_W = 2;
    static final int PF_R = 4;

    private static final int HEADER_BYTES = 64;
    private static final int PROGRAM_HEADER_BYTES = 56;

    private record Segment(int type, int flags, long offset, long vaddr, long paddr, byte[] data, long memSize) {
    }

    private int elfClass = 2;
    private int byteOrder = 1;
    private int type = 2;
    private int machine = 62;
    private long entry;
    private final List<Segment> segments = new ArrayList<>();

    TestElf elfClass(int value) {
        elfClass = value;
        return this;
    }

    TestElf type(int value) {
        type = value;
        return this;
    }

    TestElf machine(int value) {
        machine = value;
        return this;
    }

    TestElf entry(long value) {
        entry = value;
        return this;
    }

    /** A PT_LOAD whose file bytes are a recognisable pattern. */
    TestElf load(long offset, long vaddr, long paddr, int fileSize, long memSize, int flags) {
        byte[] data = new byte[fileSize];
        for (int i = 0; i < fileSize; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        segments.add(new Segment(PT_LOAD, flags, offset, vaddr, paddr, data, memSize));
        return this;
    }

    /** A PT_LOAD identity-mapped at {@code address}, with the file offset congruent modulo 4096. */
    TestElf load(long offset, long address, int fileSize, long memSize) {
        return load(offset, address, address, fileSize, memSize, PF_R | PF_X);
    }

    TestElf note(long offset, byte[] notes) {
        segments.add(new Segment(PT_NOTE, PF_R, offset, 0, 0, notes, notes.length));
        return this;
    }

    /** One ELF note: name and descriptor each padded to a multiple of 4 bytes. */
    static byte[] elfNote(String name, int noteType, byte[] descriptor) {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer note = ByteBuffer.allocate(12 + pad4(nameBytes.length) + pad4(descriptor.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        note.putInt(nameBytes.length).putInt(descriptor.length).putInt(noteType);
        note.put(nameBytes).position(12 + pad4(nameBytes.length));
        note.put(descriptor);
        return note.array();
    }

    static byte[] u32(long value) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array();
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer joined = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            joined.put(part);
        }
        return joined.array();
    }

    byte[] toBytes() {
        long end = HEADER_BYTES + (long) segments.size() * PROGRAM_HEADER_BYTES;
        for (Segment segment : segments) {
            end = Math.max(end, segment.offset() + segment.data().length);
        }
        ByteBuffer file = ByteBuffer.allocate((int) end).order(ByteOrder.LITTLE_ENDIAN);
        file.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, (byte) byteOrder, 1});
        file.putShort(16, (short) type)
                .putShort(18, (short) machine)
                .putInt(20, 1)
                .putLong(24, entry)
                .putLong(32, HEADER_BYTES)
                .putShort(52, (short) HEADER_BYTES)
                .putShort(54, (short) PROGRAM_HEADER_BYTES)
                .putShort(56, (short) segments.size());
        int at = HEADER_BYTES;
        for (Segment segment : segments) {
            file.putInt(at, segment.type())
                    .putInt(at + 4, segment.flags())
                    .putLong(at + 8, segment.offset())
                    .putLong(at + 16, segment.vaddr())
                    .putLong(at + 24, segment.paddr())
                    .putLong(at + 32, segment.data().length)
                    .putLong(at + 40, segment.memSize())
                    .putLong(at + 48, 4096);
            file.put((int) segment.offset(), segment.data());
            at += PROGRAM_HEADER_BYTES;
        }
        return file.array();
    }

    Path writeTo(Path directory) throws IOException {
        return write(directory, toBytes());
    }

    static Path write(Path directory, byte[] contents) throws IOException {
        return Files.write(Files.createTempFile(directory, "kernel", ".img"), contents);
    }

    private static int pad4(int length) {
        return (length + 3) & ~3;
    }
}
