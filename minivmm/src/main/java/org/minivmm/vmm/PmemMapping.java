package org.minivmm.vmm;

import java.util.List;
import org.minivmm.dax.PmemImage;
import org.minivmm.dax.PmemPlacement;
import org.minivmm.host.Host;
import org.minivmm.host.Mmap;
import org.minivmm.kvm.KvmVm;
import org.minivmm.memory.GuestMemory;

/**
 * One image shown to the guest as persistent memory: the region is anonymous zero memory with the image
 * file mapped MAP_PRIVATE over its start, registered as its own KVM memory slot. Every VM mapping the same
 * image shares its page-cache pages; a guest write lands in a private copy and vanishes with the VM. A
 * read-only image gets a KVM_MEM_READONLY slot, where a guest write exits to minivmm and is dropped.
 */
final class PmemMapping implements AutoCloseable {
    private final PmemImage image;
    private final long hostAddress;
    private final long size;
    private final List<GuestMemory.Region> views;

    private PmemMapping(PmemImage image, long hostAddress, PmemPlacement.Region region) {
        this.image = image;
        this.hostAddress = hostAddress;
        this.size = region.size();
        this.views = GuestRam.views(hostAddress, region.guestAddress(), region.size(), image.readOnly());
    }

    /** The region as devices see it, so a guest may hand them buffers in its persistent memory too. */
    List<GuestMemory.Region> views() {
        return views;
    }

    static PmemMapping map(PmemImage image, PmemPlacement.Region region, KvmVm vm, int slot) {
        int protection = image.readOnly() ? Mmap.PROT_READ : Mmap.PROT_READ | Mmap.PROT_WRITE;
        long host = Mmap.map(0, region.size(), protection, Mmap.MAP_PRIVATE | Mmap.MAP_ANONYMOUS | Mmap.MAP_NORESERVE,
                -1, 0, "pmem region for " + image.file());
        PmemMapping mapping = new PmemMapping(image, host, region);
        try {
            int fd = Host.open(image.file().toString(), Host.O_RDONLY);
            try {
                long fileLength = (image.size() + Mmap.PAGE_SIZE - 1) & -Mmap.PAGE_SIZE;
                Mmap.map(host, fileLength, protection, Mmap.MAP_PRIVATE | Mmap.MAP_FIXED, fd, 0, "image " + image.file());
            } finally {
                Host.close(fd);
            }
            vm.setMemoryRegion(slot, region.guestAddress(), region.size(), host, image.readOnly());
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
        return mapping;
    }

    /** MAP_PRIVATE does not snapshot the file: say so if it changed while guests could see it. */
    void warnIfChanged() {
        try {
            if (!image.unchangedSince()) {
                Log.warn(image.file() + " changed while it was mapped into the guest, which may have seen a mix"
                        + " of old and new content; keep images read-only and unchanged (see 'minivmm image build')");
            }
        } catch (java.io.IOException e) {
            Log.warn("cannot check whether " + image.file() + " changed while mapped: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        Mmap.unmap(hostAddress, size);
    }
}
