package org.minivmm.vmm;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.minivmm.boot.ElfKernel;
import org.minivmm.boot.ElfKernel.LoadSegment;
import org.minivmm.boot.MemoryLayout;
import org.minivmm.host.Host;
import org.minivmm.host.LibC;
import org.minivmm.host.Mmap;
import org.minivmm.kvm.KvmVm;
import org.minivmm.memory.GuestMemory;

/**
 * Guest RAM: one anonymous host mapping, registered with KVM as one memory slot per RAM range, and
 * seen by the VMM as {@link GuestMemory}. The kernel's segments are mapped over it straight from
 * the kernel file (execute-in-place): MAP_PRIVATE, so untouched pages stay shared with the host
 * page cache and a guest write only ever lands in a private copy.
 */
public final class GuestRam implements AutoCloseable {
    /** Direct buffers index with an int, so large RAM ranges are viewed in pieces of this size. */
    private static final long VIEW_PIECE = 1L << 30;

    private final MemoryLayout layout;
    private final long hostBase;
    private final GuestMemory memory;

    private GuestRam(MemoryLayout layout, long hostBase, GuestMemory memory) {
        this.layout = layout;
        this.hostBase = hostBase;
        this.memory = memory;
    }

    public static GuestRam allocate(MemoryLayout layout, KvmVm vm) {
        long hostBase = Mmap.map(0, layout.ramBytes(), Mmap.PROT_READ | Mmap.PROT_WRITE,
                Mmap.MAP_PRIVATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_NORESERVE, -1, 0, "guest RAM");
        List<GuestMemory.Region> regions = new ArrayList<>();
        long hostOffset = 0;
        int slot = 0;
        for (MemoryLayout.RamRange range : layout.ramRanges()) {
            vm.setMemoryRegion(slot++, range.start(), range.size(), hostBase + hostOffset, false);
            regions.addAll(views(hostBase + hostOffset, range.start(), range.size(), false));
            hostOffset += range.size();
        }
        return new GuestRam(layout, hostBase, GuestMemory.of(regions));
    }

    /** How the VMM sees [guestAddress, guestAddress + size) mapped at hostAddress: direct buffers of at most 1 GiB. */
    static List<GuestMemory.Region> views(long hostAddress, long guestAddress, long size, boolean readOnly) {
        List<GuestMemory.Region> views = new ArrayList<>();
        for (long piece = 0; piece < size; piece += VIEW_PIECE) {
            ByteBuffer view = LibC.view(hostAddress + piece, (int) Math.min(VIEW_PIECE, size - piece));
            views.add(new GuestMemory.Region(guestAddress + piece, readOnly ? view.asReadOnlyBuffer() : view));
        }
        return views;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The host address backing a guest physical address of RAM. */
    private long hostAddress(long guestAddress, long length) {
        long hostOffset = 0;
        for (MemoryLayout.RamRange range : layout.ramRanges()) {
            if (guestAddress >= range.start() && guestAddress + length <= range.end()) {
                return hostBase + hostOffset + (guestAddress - range.start());
            }
            hostOffset += range.size();
        }
        throw new IllegalArgumentException(String.format("0x%x+0x%x is not in one RAM range", guestAddress, length));
    }

    /**
     * Maps each PT_LOAD segment of {@code kernel} from its file at its physical address, and zeroes
     * what the file part leaves of its last page; the rest of the bss is RAM's own untouched zero pages.
     */
    public void mapKernel(ElfKernel kernel) {
        int fd = Host.open(kernel.file().toString(), Host.O_RDONLY);
        try {
            long previousEnd = 0;
            for (LoadSegment segment : kernel.segments()) {
                long pageOffset = segment.physAddr() % Mmap.PAGE_SIZE;
                long mapStart = segment.physAddr() - pageOffset;
                long mapLength = alignUp(pageOffset + segment.fileSize());
                if (mapStart < previousEnd) {
                    throw new IllegalArgumentException(String.format(
                            "kernel segment at 0x%x shares a page with the one before it, so it cannot be mapped in place",
                            segment.physAddr()));
                }
                if (segment.fileSize() > 0) {
                    Mmap.map(hostAddress(mapStart, mapLength), mapLength, Mmap.PROT_READ | Mmap.PROT_WRITE,
                            Mmap.MAP_PRIVATE | Mmap.MAP_FIXED, fd, segment.fileOffset() - pageOffset,
                            "kernel segment at 0x" + Long.toHexString(segment.physAddr()));
                    clearTail(segment.physAddr() + segment.fileSize(), mapStart + mapLength);
                }
                previousEnd = alignUp(segment.physAddr() + segment.memSize());
            }
        } finally {
            Host.close(fd);
        }
    }

    /** Zeroes [from, to) only where needed, so a page the file already ends with zeros stays shared. */
    private void clearTail(long from, long to) {
        byte[] tail = memory.read(from, (int) (to - from));
        for (byte b : tail) {
            if (b != 0) {
                memory.zero(from, to - from);
                return;
            }
        }
    }

    private static long alignUp(long value) {
        return (value + Mmap.PAGE_SIZE - 1) & -Mmap.PAGE_SIZE;
    }

    @Override
    public void close() {
        Mmap.unmap(hostBase, layout.ramBytes());
    }
}
