package org.minivmm.boot;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An uncompressed ELF64 x86-64 Linux kernel (vmlinux), described by its headers only. The VMM
 * maps each load segment straight from the file at its physical address, so the file itself is
 * never read into memory here.
 */
public final class ElfKernel {
    /**
     * A PT_LOAD segment: {@code fileSize} bytes from {@code fileOffset}, zero-filled up to
     * {@code memSize}; {@code flags} is p_flags (PF_X 1, PF_W 2, PF_R 4). When the last file page
     * is mapped in place, the bytes after {@code fileSize} in that page come from the file and
     * must be zeroed before the guest runs.
     */
    public record LoadSegment(long fileOffset, long physAddr, long fileSize, long memSize, int flags) {
        public long physEnd() {
            return physAddr + memSize;
        }
    }

    private static final int ELF_HEADER_BYTES = 64;
    private static final int PROGRAM_HEADER_BYTES = 56;
    private static final int START_BYTES = Math.max(ELF_HEADER_BYTES, ForeignImage.PREFIX_BYTES);
    // A vmlinux has about half a dozen program headers; the bound only stops a corrupt count.
    private static final int MAX_PROGRAM_HEADERS = 128;
    // A vmlinux's notes take a few hundred bytes; the bound only stops a corrupt size.
    private static final int MAX_NOTE_SEGMENT_BYTES = 64 * 1024;
    private static final long PAGE_OFFSET_MASK = 4096 - 1;

    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ELFDATA2MSB = 2;
    private static final int EM_X86_64 = 62;
    private static final int ET_EXEC = 2;
    private static final int PT_LOAD = 1;
    private static final int PT_NOTE = 4;
    private static final int NOTE_HEADER_BYTES = 12;
    private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    private static final String XEN_NOTE_NAME = "Xen\0";

    private static final String PASS_X86_64 = "pass the vmlinux of an x86_64 kernel build instead";
    private static final String DAMAGED = "the file is damaged, so rebuild the kernel or copy vmlinux again";

    private final Path file;
    private final long entry;
    private final long physicalEntry;
    private final List<LoadSegment> segments;
    private final Optional<Long> pvhEntry;

    private ElfKernel(Path file, long entry, long physicalEntry, List<LoadSegment> segments, Optional<Long> pvhEntry) {
        this.file = file;
        this.entry = entry;
        this.physicalEntry = physicalEntry;
        this.segments = segments;
        this.pvhEntry = pvhEntry;
    }

    /** Reads and validates the headers of {@code file}; the segment contents are not read. */
    public static ElfKernel open(Path file) throws KernelFormatException, IOException {
        if (Files.isDirectory(file)) {
            throw failure(file, "is a directory, not a kernel file", ForeignImage.PASS_VMLINUX);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new HeaderReader(file, channel).read();
        }
    }

    public Path file() {
        return file;
    }

    /** The raw ELF entry point, e_entry. */
    public long entry() {
        return entry;
    }

    /** The guest physical address of the 64-bit entry point (startup_64), where the VMM sets RIP. */
    public long physicalEntry() {
        return physicalEntry;
    }

    /** The PT_LOAD segments that occupy memory, sorted by physical address. */
    public List<LoadSegment> segments() {
        return segments;
    }

    /** The 32-bit PVH entry point from the kernel's Xen ELF note, if it was built with one. */
    public Optional<Long> pvhEntry() {
        return pvhEntry;
    }

    /**
     * Checks that every segment can be mapped in place into the guest described by {@code layout}:
     * above the boot structures, below the MMIO hole, not overlapping, page-aligned in the file,
     * and inside RAM. The memory check comes last so a broken file is never blamed on --mem.
     */
    public void checkFits(MemoryLayout layout) throws KernelFormatException {
        LoadSegment previous = null;
        for (LoadSegment segment : segments) {
            if (Long.compareUnsigned(segment.physAddr(), MemoryLayout.HIMEM_START) < 0) {
                throw failure(file, "has " + describe(segment) + ", below 1 MiB where minivmm keeps the boot structures",
                        "a vmlinux loads at CONFIG_PHYSICAL_START (16 MiB by default), so " + ForeignImage.PASS_VMLINUX);
            }
            if (Long.compareUnsigned(segment.physEnd(), MemoryLayout.MMIO_HOLE_START) > 0) {
                throw failure(file, "has " + describe(segment)
                                + ", reaching above 3 GiB, but the kernel must lie in the RAM below the MMIO hole",
                        "rebuild the kernel with a lower CONFIG_PHYSICAL_START");
            }
            if (previous != null && previous.physEnd() > segment.physAddr()) {
                throw failure(file, "has " + describe(segment) + " overlapping " + describe(previous), DAMAGED);
            }
            if (((segment.fileOffset() - segment.physAddr()) & PAGE_OFFSET_MASK) != 0) {
                throw failure(file, "has " + describe(segment) + " at file offset " + Formatting.hex(segment.fileOffset())
                                + ", which differs from its physical address modulo 4096, so it cannot be mapped in place",
                        "this ELF's segments are not page-aligned in the file; " + ForeignImage.PASS_VMLINUX);
            }
            previous = segment;
        }
        for (LoadSegment segment : segments) {
            if (!layout.isRam(segment.physAddr(), segment.memSize())) {
                long neededMib = (segment.physEnd() + (1L << 20) - 1) >>> 20;
                throw failure(file, "has " + describe(segment) + ", which does not fit in the guest's "
                                + Formatting.size(layout.ramBytes()) + " of RAM",
                        "give the VM more memory with --mem (well over " + neededMib
                                + " MiB, since the kernel also needs room to run)");
            }
        }
    }

    private static String describe(LoadSegment segment) {
        return "a load segment at physical " + Formatting.range(segment.physAddr(), segment.physEnd());
    }

    /** A message that reads "<file> <problem>; <advice>.", naming the file the user passed. */
    private static KernelFormatException failure(Path file, String problem, String advice) {
        return new KernelFormatException(file + " " + problem + "; " + advice + ".");
    }

    /** One entry of the program header table, as far as booting cares. */
    private record ProgramHeader(int type, int flags, long offset, long vaddr, long paddr, long fileSize, long memSize) {
    }

    /** Reads the headers of one open file, producing messages that name it. */
    private static final class HeaderReader {
        private final Path file;
        private final FileChannel channel;
        private final long fileSize;

        HeaderReader(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            this.fileSize = channel.size();
        }

        ElfKernel read() throws KernelFormatException, IOException {
            ByteBuffer start = readAt(0, (int) Math.min(fileSize, START_BYTES));
            if (!hasElfMagic(start)) {
                throw new KernelFormatException(ForeignImage.describe(file, start.array()));
            }
            if (fileSize < ELF_HEADER_BYTES) {
                throw failure("is too short to hold an ELF header", DAMAGED);
            }
            checkIdentity(start);
            long entry = start.getLong(24);
            List<ProgramHeader> headers = readProgramHeaders(start);

            List<ProgramHeader> loads = new ArrayList<>();
            Optional<Long> pvhEntry = Optional.empty();
            for (ProgramHeader header : headers) {
                if (header.type() == PT_LOAD) {
                    checkLoad(header);
                    // A segment that occupies no memory has nothing to map.
                    if (header.memSize() != 0) {
                        loads.add(header);
                    }
                } else if (header.type() == PT_NOTE && pvhEntry.isEmpty()) {
                    checkInFile(header);
                    pvhEntry = findPvhEntry(readNotes(header), header.offset());
                }
            }
            if (loads.isEmpty()) {
                throw failure("has no loadable (PT_LOAD) segments", ForeignImage.PASS_VMLINUX);
            }
            List<LoadSegment> segments = loads.stream()
                    .map(h -> new LoadSegment(h.offset(), h.paddr(), h.fileSize(), h.memSize(), h.flags()))
                    .sorted(Comparator.comparing(LoadSegment::physAddr, Long::compareUnsigned))
                    .toList();
            return new ElfKernel(file, entry, physicalEntry(entry, loads), segments, pvhEntry);
        }

        private static boolean hasElfMagic(ByteBuffer start) {
            return start.limit() >= 4 && start.getInt(0) == 0x464c457f;
        }

        private void checkIdentity(ByteBuffer header) throws KernelFormatException {
            int elfClass = header.get(4);
            if (elfClass == ELFCLASS32) {
                throw failure("is a 32-bit ELF file, but minivmm boots only 64-bit kernels", PASS_X86_64);
            }
            if (elfClass != ELFCLASS64) {
                throw failure("has an unknown ELF class " + elfClass, DAMAGED);
            }
            int byteOrder = header.get(5);
            if (byteOrder == ELFDATA2MSB) {
                throw failure("is a big-endian ELF file, so it is not an x86-64 kernel", PASS_X86_64);
            }
            if (byteOrder != ELFDATA2LSB) {
                throw failure("has an unknown ELF byte order " + byteOrder, DAMAGED);
            }
            int machine = Short.toUnsignedInt(header.getShort(18));
            if (machine != EM_X86_64) {
                throw failure("is an ELF file for " + machineName(machine) + ", not for x86-64", PASS_X86_64);
            }
            int type = Short.toUnsignedInt(header.getShort(16));
            if (type != ET_EXEC) {
                throw failure("is " + typeName(type) + ", not an executable kernel", ForeignImage.PASS_VMLINUX);
            }
        }

        private List<ProgramHeader> readProgramHeaders(ByteBuffer header) throws KernelFormatException, IOException {
            long tableOffset = header.getLong(32);
            int entrySize = Short.toUnsignedInt(header.getShort(54));
            int count = Short.toUnsignedInt(header.getShort(56));
            if (count == 0) {
                throw failure("has no program headers, so there is nothing to load", ForeignImage.PASS_VMLINUX);
            }
            if (entrySize != PROGRAM_HEADER_BYTES) {
                throw failure("has program headers of " + entrySize + " bytes instead of " + PROGRAM_HEADER_BYTES, DAMAGED);
            }
            if (count > MAX_PROGRAM_HEADERS) {
                throw failure("claims " + count + " program headers, far more than any kernel has", DAMAGED);
            }
            int tableBytes = count * PROGRAM_HEADER_BYTES;
            if (!fitsInFile(tableOffset, tableBytes)) {
                throw truncated("its program header table", tableOffset, tableBytes);
            }
            ByteBuffer table = readAt(tableOffset, tableBytes);
            List<ProgramHeader> headers = new ArrayList<>(count);
            for (int at = 0; at < tableBytes; at += PROGRAM_HEADER_BYTES) {
                headers.add(new ProgramHeader(table.getInt(at), table.getInt(at + 4), table.getLong(at + 8),
                        table.getLong(at + 16), table.getLong(at + 24), table.getLong(at + 32), table.getLong(at + 40)));
            }
            return headers;
        }

        private void checkLoad(ProgramHeader load) throws KernelFormatException {
            String where = "a load segment at physical " + Formatting.hex(load.paddr());
            if (Long.compareUnsigned(load.fileSize(), load.memSize()) > 0) {
                throw failure("has " + where + " with more bytes in the file (" + Formatting.hex(load.fileSize())
                        + ") than in memory (" + Formatting.hex(load.memSize()) + ")", DAMAGED);
            }
            if (Long.compareUnsigned(load.paddr() + load.memSize(), load.paddr()) < 0) {
                throw failure("has " + where + " whose size " + Formatting.hex(load.memSize())
                        + " runs past the top of the address space", DAMAGED);
            }
            checkInFile(load);
        }

        private void checkInFile(ProgramHeader header) throws KernelFormatException {
            if (!fitsInFile(header.offset(), header.fileSize())) {
                throw truncated("the segment at file offset " + Formatting.hex(header.offset()),
                        header.offset(), header.fileSize());
            }
        }

        private boolean fitsInFile(long offset, long length) {
            return Long.compareUnsigned(offset, fileSize) <= 0
                    && Long.compareUnsigned(length, fileSize - offset) <= 0;
        }

        private KernelFormatException truncated(String what, long offset, long length) {
            return failure("is truncated: " + what + " needs file bytes up to " + Formatting.hex(offset + length)
                    + ", but the file is only " + fileSize + " bytes long", DAMAGED);
        }

        /**
         * x86-64 vmlinux links its entry as phys_startup_64, already physical; other kernels may
         * give a virtual entry, which the containing segment translates. Physical is tried first
         * because a vmlinux's per-CPU segment has virtual address 0 and could shadow it otherwise.
         */
        private long physicalEntry(long entry, List<ProgramHeader> loads) throws KernelFormatException {
            for (ProgramHeader load : loads) {
                if (contains(load.paddr(), load.memSize(), entry)) {
                    return entry;
                }
            }
            for (ProgramHeader load : loads) {
                if (contains(load.vaddr(), load.memSize(), entry)) {
                    return entry - load.vaddr() + load.paddr();
                }
            }
            throw failure("has its entry point " + Formatting.hex(entry) + " outside every loadable segment",
                    ForeignImage.PASS_VMLINUX);
        }

        private static boolean contains(long start, long size, long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address - start, size) < 0;
        }

        private ByteBuffer readNotes(ProgramHeader note) throws KernelFormatException, IOException {
            if (Long.compareUnsigned(note.fileSize(), MAX_NOTE_SEGMENT_BYTES) > 0) {
                throw failure("has a note segment of " + Formatting.hex(note.fileSize())
                        + " bytes, far larger than any kernel's", DAMAGED);
            }
            return readAt(note.offset(), (int) note.fileSize());
        }

        /** Walks the ELF notes (name and descriptor each padded to 4 bytes) for Xen's PVH entry. */
        private Optional<Long> findPvhEntry(ByteBuffer notes, long fileOffset) throws KernelFormatException {
            int at = 0;
            while (notes.limit() - at >= NOTE_HEADER_BYTES) {
                long nameSize = Integer.toUnsignedLong(notes.getInt(at));
                long descSize = Integer.toUnsignedLong(notes.getInt(at + 4));
                int type = notes.getInt(at + 8);
                long nameStart = at + NOTE_HEADER_BYTES;
                long descStart = nameStart + alignTo4(nameSize);
                long next = descStart + alignTo4(descSize);
                if (next > notes.limit()) {
                    throw failure("has a malformed ELF note at file offset " + Formatting.hex(fileOffset + at), DAMAGED);
                }
                if (type == XEN_ELFNOTE_PHYS32_ENTRY && isXenName(notes, (int) nameStart, nameSize)) {
                    return Optional.of(pvhAddress(notes, (int) descStart, descSize));
                }
                at = (int) next;
            }
            return Optional.empty();
        }

        private static boolean isXenName(ByteBuffer notes, int start, long size) {
            if (size != XEN_NOTE_NAME.length()) {
                return false;
            }
            for (int i = 0; i < size; i++) {
                if (notes.get(start + i) != XEN_NOTE_NAME.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        // Linux emits the PVH entry as a 32-bit value; accept a 64-bit one as well.
        private long pvhAddress(ByteBuffer notes, int start, long size) throws KernelFormatException {
            if (size == Integer.BYTES) {
                return Integer.toUnsignedLong(notes.getInt(start));
            }
            if (size == Long.BYTES) {
                return notes.getLong(start);
            }
            throw failure("has a Xen PVH entry note of " + size + " bytes instead of 4 or 8", DAMAGED);
        }

        private static long alignTo4(long size) {
            return (size + 3) & ~3L;
        }

        private ByteBuffer readAt(long position, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new EOFException(file + " became shorter while it was being read");
                }
            }
            return buffer.clear();
        }

        private KernelFormatException failure(String problem, String advice) {
            return ElfKernel.failure(file, problem, advice);
        }

        private static String machineName(int machine) {
            return switch (machine) {
                case 3 -> "32-bit x86";
                case 40 -> "32-bit ARM";
                case 183 -> "arm64";
                case 243 -> "RISC-V";
                case 21 -> "64-bit PowerPC";
                default -> "machine type " + machine;
            };
        }

        private static String typeName(int type) {
            return switch (type) {
                case 1 -> "a relocatable ELF object (such as a kernel module or .o file)";
                case 3 -> "a position-independent ELF (a shared library or PIE program)";
                case 4 -> "an ELF core dump";
                default -> "an ELF file of type " + type;
            };
        }
    }
}
